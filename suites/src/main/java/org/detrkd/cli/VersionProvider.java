package org.detrkd.cli;

import picocli.CommandLine;

/** Prints the detrkd version with the Java and DJL versions it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Detrkd.class.getPackage().getImplementationVersion();
        return new String[] {
            "detrkd " + (version == null ? "development build" : version),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }
}
