package org.detrkd.datasets.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.detrkd.datasets.generate.DatasetMaker;
import org.detrkd.datasets.generate.Generators;
import org.detrkd.datasets.generate.SceneGenerator;
import org.detrkd.datasets.generate.ShapesSpec;
import org.detrkd.datasets.generate.SplitStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code detrkd data make NAME --out DIR}: writes a deterministic generated benchmark ({@code shapes} or
 * {@code fashion}) as a COCO-format folder, the same seed and settings always giving the same bytes. Settings not
 * offered as options keep the defaults of {@link ShapesSpec#DEFAULTS}.
 */
@Command(name = "make",
        description = {"Generate a deterministic detection benchmark as a COCO-format folder.",
            "NAME is shapes (8 outline classes, pure Java) or fashion (Fashion-MNIST items, needs the Debian "
                + "package dataset-fashion-mnist or --source)."})
public final class DataMakeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "NAME", description = "shapes or fashion")
    String name;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "dataset folder to create")
    Path out;

    @Option(names = "--train", paramLabel = "N", defaultValue = "" + ShapesSpec.DEFAULT_TRAIN,
            description = "training images (default: ${DEFAULT-VALUE})")
    int train;

    @Option(names = "--val", paramLabel = "N", defaultValue = "" + ShapesSpec.DEFAULT_VAL,
            description = "validation images (default: ${DEFAULT-VALUE})")
    int val;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + ShapesSpec.DEFAULT_SEED,
            description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--image-size", paramLabel = "PX", defaultValue = "" + ShapesSpec.DEFAULT_IMAGE_SIZE,
            description = "image width and height (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--source", paramLabel = "DIR",
            description = "folder with the 4 Fashion-MNIST IDX files (fashion only; default: "
                    + "/usr/share/datasets/fashion-mnist)")
    Path source;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: all processors)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        ShapesSpec settings = ShapesSpec.DEFAULTS.withSizes(train, val).withSeed(seed).withImageSize(imageSize)
                .validate();
        SceneGenerator generator = Generators.create(name, settings, source);
        int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        DatasetMaker.Result result = DatasetMaker.make(generator, out, workers);
        printSummary(spec.commandLine().getOut(), generator, result);
        return 0;
    }

    private static void printSummary(PrintWriter w, SceneGenerator generator, DatasetMaker.Result r) {
        if (r.alreadyPresent()) {
            w.println(r.folder() + " already holds this " + generator.name()
                    + " dataset (same dataset.json); nothing to do.");
        } else {
            w.println(String.format(Locale.ROOT, "made %s dataset in %s (%.1f s)", generator.name(), r.folder(),
                    r.seconds()));
        }
        for (Map.Entry<String, SplitStats> e : r.splits().entrySet()) {
            SplitStats s = e.getValue();
            w.println(String.format(Locale.ROOT, "  %-5s %6d images %7d boxes", e.getKey(), s.images(), s.boxes()));
        }
        SplitStats v = r.splits().get("val");
        if (v != null) {
            w.println(String.format(Locale.ROOT, "  val boxes by COCO area: small %d, medium %d, large %d",
                    v.small(), v.medium(), v.large()));
        }
        w.flush();
    }
}
