package dev.gatehouse.server.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = GatehouseCli.class.getPackage().getImplementationVersion();
        return new String[] {"gatehouse " + (version == null ? "development build" : version)};
    }
}
