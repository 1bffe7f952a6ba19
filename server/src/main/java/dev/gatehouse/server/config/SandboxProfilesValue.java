package dev.gatehouse.server.config;

import static dev.gatehouse.server.config.JsonFields.number;
import static dev.gatehouse.server.config.JsonFields.optionalText;
import static dev.gatehouse.server.config.JsonFields.requireObject;
import static dev.gatehouse.server.config.JsonFields.requiredText;
import static dev.gatehouse.server.config.JsonFields.texts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.server.sandbox.SandboxProfile;
import dev.gatehouse.server.sandbox.SandboxProfile.PersistentVolume;
import dev.gatehouse.server.sandbox.SandboxProfile.Resources;
import dev.gatehouse.server.sandbox.TokenDelivery;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code sandbox.profiles}: a JSON array (YAML: a list) of profile objects. Numbers may be written as
 * numbers or numeric text; {@code channels} and {@code command} may be arrays or (channels only)
 * comma-separated text; {@code resources} and {@code volume} are objects whose missing fields take
 * their defaults. Unknown fields are refused. Messages name the position ({@code [1].resources.cpuLimit}).
 */
final class SandboxProfilesValue {
    private static final Set<String> FIELDS = Set.of("name", "channels", "model", "image", "runtimeClass", "resources",
            "volume", "command", "port", "tokenDelivery");
    private static final Set<String> RESOURCE_FIELDS = Set.of("cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit");
    private static final Set<String> VOLUME_FIELDS = Set.of("size", "storageClass", "mountPath");

    private SandboxProfilesValue() {}

    static List<SandboxProfile> parse(String text) {
        return JsonFields.list(text, "profile objects", SandboxProfilesValue::profile);
    }

    static String format(List<SandboxProfile> profiles) {
        ArrayNode array = JsonFields.JSON.createArrayNode();
        for (SandboxProfile profile : profiles) {
            ObjectNode node = array.addObject().put("name", profile.name());
            profile.channels().forEach(node.putArray("channels")::add);
            profile.model().ifPresent(model -> node.put("model", model));
            profile.image().ifPresent(image -> node.put("image", image));
            profile.runtimeClass().ifPresent(runtimeClass -> node.put("runtimeClass", runtimeClass));
            Resources resources = profile.resources();
            node.putObject("resources")
                    .put("cpuRequest", resources.cpuRequest())
                    .put("cpuLimit", resources.cpuLimit())
                    .put("memoryRequest", resources.memoryRequest())
                    .put("memoryLimit", resources.memoryLimit());
            profile.volume().ifPresent(volume -> {
                ObjectNode volumeNode = node.putObject("volume").put("size", volume.size());
                volume.storageClass().ifPresent(storageClass -> volumeNode.put("storageClass", storageClass));
                volumeNode.put("mountPath", volume.mountPath());
            });
            if (!profile.command().isEmpty()) {
                profile.command().forEach(node.putArray("command")::add);
            }
            node.put("port", profile.port()).put("tokenDelivery", profile.tokenDelivery().configName());
        }
        return array.toString();
    }

    private static SandboxProfile profile(JsonNode node, String at) {
        requireObject(node, at, FIELDS, "{name, channels, model, image, ...}");
        try {
            return new SandboxProfile(
                    requiredText(node, at, "name"),
                    texts(node, at, "channels", true, List.of()),
                    optionalText(node, at, "model"),
                    optionalText(node, at, "image"),
                    optionalText(node, at, "runtimeClass"),
                    resources(node.get("resources"), at + ".resources"),
                    volume(node.get("volume"), at + ".volume"),
                    texts(node, at, "command", false, List.of()),
                    number(node, at, "port", SandboxProfile.DEFAULT_PORT),
                    optionalText(node, at, "tokenDelivery")
                            .map(text -> TokenDelivery.fromConfigName(text).orElseThrow(() -> new IllegalArgumentException(
                                    at + ".tokenDelivery: \"" + text + "\" (expected: file or environment)")))
                            .orElse(TokenDelivery.FILE));
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalArgumentException(message.startsWith("[") ? message : at + "." + message, e);
        }
    }

    private static Resources resources(JsonNode node, String at) {
        if (node == null || node.isNull()) {
            return Resources.DEFAULTS;
        }
        requireObject(node, at, RESOURCE_FIELDS, "{cpuRequest, cpuLimit, memoryRequest, memoryLimit}");
        Resources defaults = Resources.DEFAULTS;
        return new Resources(
                optionalText(node, at, "cpuRequest").orElse(defaults.cpuRequest()),
                optionalText(node, at, "cpuLimit").orElse(defaults.cpuLimit()),
                optionalText(node, at, "memoryRequest").orElse(defaults.memoryRequest()),
                optionalText(node, at, "memoryLimit").orElse(defaults.memoryLimit()));
    }

    private static Optional<PersistentVolume> volume(JsonNode node, String at) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        requireObject(node, at, VOLUME_FIELDS, "{size, storageClass, mountPath}");
        return Optional.of(new PersistentVolume(requiredText(node, at, "size"), optionalText(node, at, "storageClass"),
                optionalText(node, at, "mountPath").orElse(PersistentVolume.DEFAULT_MOUNT_PATH)));
    }

}
