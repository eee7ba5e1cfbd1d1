package org.detrkd.reports.cli;

import org.detrkd.reports.aggregate.DirectionRule;
import org.detrkd.reports.model.ReportInputException;
import picocli.CommandLine.Option;

/**
 * The {@code --noise-floor} option shared by {@code report} and {@code check} (a picocli mixin): the single-seed
 * noise floor of the {@link DirectionRule}, in AP points on the 0-100 scale like {@code --tolerance}.
 */
public final class NoiseFloorOption {
    @Option(names = "--noise-floor", paramLabel = "AP", defaultValue = "0.5",
            description = "with a single seed, a change against the plain student smaller than this many AP points "
                    + "(0-100 scale; 0.5 = 0.005 on the 0-1 scale) is within the noise and never marked DISAGREE "
                    + "(default: ${DEFAULT-VALUE})")
    double noiseFloor;

    /** The direction rule; bad input when the floor is negative or not finite. */
    public DirectionRule rule() {
        if (!(noiseFloor >= 0) || Double.isInfinite(noiseFloor)) {
            throw new ReportInputException((String) null, "--noise-floor",
                    "must be a finite number >= 0, got " + noiseFloor, null);
        }
        return new DirectionRule(noiseFloor);
    }
}
