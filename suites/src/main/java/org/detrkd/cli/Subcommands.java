package org.detrkd.cli;

import org.detrkd.datasets.cli.BenchEvalCommand;
import org.detrkd.datasets.cli.DataCheckCommand;
import org.detrkd.datasets.cli.DataMakeCommand;
import org.detrkd.datasets.cli.EvalCommand;
import org.detrkd.datasets.cli.PerturbGtCommand;
import org.detrkd.baselines.cli.CompareCommand;
import org.detrkd.baselines.cli.DistillCommand;
import org.detrkd.detr.cli.AnalyzeInstabilityCommand;
import org.detrkd.detr.cli.AssignCommand;
import org.detrkd.detr.cli.BenchDistillStepCommand;
import org.detrkd.detr.cli.BenchSamplingCommand;
import org.detrkd.detr.cli.BenchTrainStepCommand;
import org.detrkd.detr.cli.EvaluateCommand;
import org.detrkd.detr.cli.PretrainCommand;
import org.detrkd.detr.cli.TrainCommand;
import org.detrkd.detr.cli.BenchMatcherCommand;
import org.detrkd.reports.cli.CheckCommand;
import org.detrkd.reports.cli.ReportCommand;
import org.detrkd.suites.cli.RunCommand;
import org.detrkd.suites.cli.SlurmCommand;
import org.detrkd.suites.cli.SuitesCommand;
import picocli.CommandLine;

/** The explicit list of the command line's subcommands, each defined in the module that owns the job. */
final class Subcommands {
    private Subcommands() {}

    static void register(CommandLine cli) {
        cli.addSubcommand(new QuickstartCommand());
        cli.addSubcommand(group(new DataCommand(), new DataMakeCommand(), new DataCheckCommand()));
        cli.addSubcommand(new EvalCommand());
        cli.addSubcommand(new PretrainCommand());
        cli.addSubcommand(new TrainCommand());
        cli.addSubcommand(new EvaluateCommand());
        cli.addSubcommand(new DistillCommand());
        cli.addSubcommand(new CompareCommand());
        cli.addSubcommand(new SuitesCommand());
        cli.addSubcommand(new RunCommand());
        cli.addSubcommand(new SlurmCommand());
        cli.addSubcommand(new ReportCommand());
        cli.addSubcommand(new CheckCommand());
        cli.addSubcommand(group(new BenchCommand(), new BenchEvalCommand(), new BenchMatcherCommand(), new BenchTrainStepCommand(),
                new BenchDistillStepCommand(), new BenchSamplingCommand()));
        cli.addSubcommand(group(new AnalyzeCommand(), new AnalyzeInstabilityCommand()));
        cli.addSubcommand(group(new ToolsCommand(), new AssignCommand(), new PerturbGtCommand()));
    }

    private static CommandLine group(Object parent, Object... children) {
        CommandLine cmd = new CommandLine(parent);
        for (Object child : children) {
            cmd.addSubcommand(child);
        }
        return cmd;
    }
}
