package org.detrkd.detr.train;

import org.detrkd.datasets.generate.DatasetMaker;
import org.detrkd.datasets.generate.ShapesGenerator;
import org.detrkd.datasets.generate.ShapesSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A tiny generated shapes dataset (8 train / 4 val images of 64 px), made once per test JVM. */
public final class TinyData {

    private static Path folder;

    private TinyData() {}

    /** @return the dataset folder */
    public static synchronized Path folder() {
        if (folder == null) {
            try {
                Path dir = Files.createTempDirectory("detrkd-tiny-");
                DatasetMaker.make(new ShapesGenerator(ShapesSpec.DEFAULTS.withSizes(8, 4).withImageSize(64)),
                        dir.resolve("shapes"), 1);
                folder = dir.resolve("shapes");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return folder;
    }
}
