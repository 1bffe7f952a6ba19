package dev.gatehouse.server.gateway.relay;

import static java.util.Objects.requireNonNull;

import dev.gatehouse.server.gateway.metering.Usage;
import dev.gatehouse.server.gateway.protocols.ResponseTranslator;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * A tap for a response translated into the client's protocol: the upstream's bytes are metered as
 * the upstream's protocol (by {@code metered}), and what metering passes on is translated. Used by
 * one response only, on its event loop.
 */
final class TranslatedTap implements BodyTap {
    private final BodyTap metered;
    private final ResponseTranslator translator;

    TranslatedTap(BodyTap metered, ResponseTranslator translator) {
        this.metered = requireNonNull(metered, "metered");
        this.translator = requireNonNull(translator, "translator");
    }

    @Override
    public Buffer onChunk(Buffer chunk) {
        return translator.onChunk(metered.onChunk(chunk));
    }

    @Override
    public Buffer onEnd() {
        Buffer last = translator.onChunk(metered.onEnd());
        return last.appendBuffer(translator.onEnd());
    }

    @Override
    public Optional<Usage> usage() {
        return metered.usage();
    }

    @Override
    public Optional<Usage> delivered() {
        return metered.delivered();
    }

    @Override
    public boolean exhausted() {
        return metered.exhausted();
    }
}
