package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.JsonFields.bool;
import static dev.gatehouse.server.config.JsonFields.decimal;
import static dev.gatehouse.server.config.JsonFields.number;
import static dev.gatehouse.server.config.JsonFields.optionalText;
import static dev.gatehouse.server.config.JsonFields.path;
import static dev.gatehouse.server.config.JsonFields.requireObject;
import static dev.gatehouse.server.config.JsonFields.requiredText;
import static dev.gatehouse.server.config.JsonFields.texts;
import static dev.gatehouse.server.config.JsonFields.url;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.server.gateway.ChannelConfig;
import dev.gatehouse.server.gateway.ModelPrice;
import dev.gatehouse.server.gateway.Protocol;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code gateway.channels}: a JSON array (YAML: a list) of channel objects. Numbers may be written as
 * numbers or as numeric text (YAML scalars arrive as text); {@code models} may be an array or a
 * comma-separated text, and so may {@code organizations} and {@code protocols}; {@code models} may be left out when {@code
 * aliases} ({@code {public name: upstream model}}) names the channel's models. Unknown fields are refused. Messages name the position ({@code [2].baseUrl})
 * and quote no API key (the value holds only where a key is, never the key).
 */
final class ChannelsValue {
    private static final Set<String> FIELDS =
            Set.of("name", "provider", "baseUrl", "apiKeyFile", "apiKeyEnv", "models", "weight", "priority", "probePath",
                    "organizations", "prices", "aliases", "includeUsage", "protocols");
    private static final Set<String> PRICE_FIELDS = Set.of("input", "output");

    private ChannelsValue() {}

    static List<ChannelConfig> parse(String text) {
        return JsonFields.list(text, "channel objects", ChannelsValue::channel);
    }

    static String format(List<ChannelConfig> channels) {
        ArrayNode array = JsonFields.JSON.createArrayNode();
        for (ChannelConfig channel : channels) {
            ObjectNode node = array.addObject()
                    .put("name", channel.name())
                    .put("provider", channel.provider())
                    .put("baseUrl", channel.baseUrl().toString());
            channel.apiKeyFile().ifPresent(file -> node.put("apiKeyFile", file.toString()));
            channel.apiKeyEnv().ifPresent(env -> node.put("apiKeyEnv", env));
            channel.models().forEach(node.putArray("models")::add);
            ArrayNode protocols = node.putArray("protocols");
            channel.protocols().forEach(protocol -> protocols.add(protocol.value()));
            node.put("weight", channel.weight()).put("priority", channel.priority()).put("probePath", channel.probePath());
            if (!channel.organizations().isEmpty()) {
                channel.organizations().forEach(node.putArray("organizations")::add);
            }
            if (!channel.aliases().isEmpty()) {
                ObjectNode aliases = node.putObject("aliases");
                channel.aliases().forEach(aliases::put);
            }
            if (!channel.includeUsage()) {
                node.put("includeUsage", false);
            }
            if (!channel.prices().isEmpty()) {
                ObjectNode prices = node.putObject("prices");
                channel.prices().forEach((model, price) -> prices.putObject(model)
                        .put("input", price.inputPerMillion()).put("output", price.outputPerMillion()));
            }
        }
        return array.toString();
    }

    /** {@code {model: {input, output}}}, prices per million tokens as numbers or numeric text. */
    private static Map<String, ModelPrice> prices(JsonNode node, String at) {
        Map<String, ModelPrice> prices = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return prices;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(at + ": not a mapping (expected: {model: {input, output}})");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String where = at + "." + entry.getKey();
            requireObject(entry.getValue(), where, PRICE_FIELDS, "{input, output} per million tokens");
            try {
                prices.put(entry.getKey(), new ModelPrice(decimal(entry.getValue(), where, "input"),
                        decimal(entry.getValue(), where, "output")));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "." + e.getMessage(), e);
            }
        }
        return prices;
    }

    /** {@code {public name: upstream name}}. */
    private static Map<String, String> aliases(JsonNode node, String at) {
        Map<String, String> aliases = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return aliases;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(at + ": not a mapping (expected: {public name: upstream model})");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new IllegalArgumentException(at + "." + entry.getKey() + ": not text (expected: the upstream's model name)");
            }
            aliases.put(entry.getKey(), entry.getValue().textValue());
        }
        return aliases;
    }

    private static Set<Protocol> protocols(List<String> names) {
        Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
        for (int i = 0; i < names.size(); i++) {
            try {
                protocols.add(Protocol.of(names.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("protocols[" + i + "]: " + e.getMessage(), e);
            }
        }
        return protocols;
    }

    private static ChannelConfig channel(JsonNode node, String at) {
        requireObject(node, at, FIELDS, "{name, provider, baseUrl, ...}");
        String name = requiredText(node, at, "name");
        try {
            return new ChannelConfig(
                    name,
                    requiredText(node, at, "provider"),
                    url(requiredText(node, at, "baseUrl"), at + ".baseUrl"),
                    optionalText(node, at, "apiKeyFile").map(file -> path(file, at + ".apiKeyFile")),
                    optionalText(node, at, "apiKeyEnv"),
                    texts(node, at, "models", true, node.has("aliases") ? List.of() : null),
                    number(node, at, "weight", ChannelConfig.DEFAULT_WEIGHT),
                    number(node, at, "priority", ChannelConfig.DEFAULT_PRIORITY),
                    optionalText(node, at, "probePath").orElse(ChannelConfig.DEFAULT_PROBE_PATH),
                    new LinkedHashSet<>(texts(node, at, "organizations", true, List.of())),
                    prices(node.get("prices"), at + ".prices"),
                    aliases(node.get("aliases"), at + ".aliases"),
                    bool(node, at, "includeUsage", true),
                    node.hasNonNull("protocols") ? protocols(texts(node, at, "protocols", true, null)) : Protocol.DEFAULTS);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalArgumentException(message.startsWith("[") ? message : at + "." + message, e);
        }
    }
}
