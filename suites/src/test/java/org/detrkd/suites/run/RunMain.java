package org.detrkd.suites.run;

/** A child-process entry point for {@link KillResumeTest}: the CLI with {@code run} registered. */
public final class RunMain {
    private RunMain() {
    }

    public static void main(String[] args) {
        System.exit(RunFixtures.cli(args).code());
    }
}
