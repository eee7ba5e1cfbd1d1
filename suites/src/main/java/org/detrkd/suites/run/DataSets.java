package org.detrkd.suites.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoJsonReader;
import org.detrkd.datasets.generate.DatasetMaker;
import org.detrkd.datasets.generate.Generators;
import org.detrkd.datasets.generate.ShapesSpec;
import org.detrkd.datasets.io.InputException;
import org.detrkd.suites.spec.SuiteSpec.DatasetSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data a suite names: a generated dataset ({@code shapes}, {@code fashion}) is made with the suite's sizes and
 * seed when absent (deterministic, {@link DatasetMaker}; a folder already holding it is reused, one holding
 * something else is an error); COCO must exist. Relative paths resolve against the runner's data root.
 */
final class DataSets {
    private static final Logger LOG = LoggerFactory.getLogger(DataSets.class);

    private DataSets() {
    }

    /** The dataset folder, absolute (without making it). */
    static Path folder(DatasetSpec d, Path dataRoot) {
        return dataRoot.resolve(d.path()).toAbsolutePath().normalize();
    }

    /**
     * Makes the dataset if it is generated and absent.
     *
     * @return its folder
     * @throws InputException when COCO is missing or the folder holds other data
     */
    static Path ensure(DatasetSpec d, Path dataRoot, int threads) throws IOException {
        Path folder = folder(d, dataRoot);
        if (!d.generated()) {
            if (!Files.isDirectory(folder)) {
                throw new InputException(folder, "", "no such dataset folder (the suite's " + d.kind()
                        + " data; download it first)");
            }
            return folder;
        }
        ShapesSpec spec = ShapesSpec.DEFAULTS.withSizes(d.trainImages(), d.valImages()).withSeed(d.seed())
                .withImageSize(d.imageSize()).validate();
        try (FileLocks.Held lock = FileLocks.acquire(folder.resolveSibling("." + folder.getFileName() + ".lock"))) {
            DatasetMaker.Result r = DatasetMaker.make(Generators.create(d.kind(), spec, null), folder, threads);
            if (!r.alreadyPresent()) {
                LOG.info("generated the {} dataset in {} ({} s)", d.kind(), folder, Math.round(r.seconds()));
            }
        }
        return folder;
    }

    /** K, the number of categories of the training split. */
    static int numClasses(Path folder) throws IOException {
        CocoDataset gt = CocoJsonReader.read(CocoFolder.open(folder).split("train").annotations());
        if (gt.categories().isEmpty()) {
            throw new InputException(folder, "train", "the training split has no category");
        }
        return gt.categories().size();
    }
}
