package org.detrkd.datasets.generate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.datasets.io.InputException;

/**
 * The Fashion-MNIST items (Xiao, Rasul and Vollgraf, 2017): 28x28 grey images of 10 clothing classes, 60,000 for
 * training and 10,000 for testing, read from the four IDX files of the Debian package
 * {@code dataset-fashion-mnist} ({@value #DEFAULT_DIR}) or of a folder given with {@code --source}, gzip-compressed
 * or not.
 */
public final class FashionMnist {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
    /** Class names in label order 0..9. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Item side, pixels. */
    public static final int SIDE = 28;

    private static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private final Items train;
    private final Items test;
    private final Map<String, Object> source;

    private FashionMnist(Items train, Items test, Map<String, Object> source) {
        this.train = train;
        this.test = test;
        this.source = source;
    }

    /**
     * The items of one part of Fashion-MNIST.
     *
     * @param pixels {@code count * 28 * 28} grey levels, item after item, row-major
     * @param byClass for each class 0..9, the indices of its items
     */
    public record Items(byte[] pixels, int[][] byClass) {
        /** The offset of item {@code index} in {@link #pixels}. */
        int offset(int index) {
            return index * SIDE * SIDE;
        }
    }

    /**
     * Loads the four files from {@code dir} ({@code null}: the Debian package's folder).
     *
     * @throws InputException saying how to get the files when any is missing, or naming a malformed file
     */
    public static FashionMnist load(Path dir) {
        Path folder = dir != null ? dir : Path.of(DEFAULT_DIR);
        List<Path> paths = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : FILES) {
            Path gz = folder.resolve(name + ".gz");
            Path plain = folder.resolve(name);
            if (Files.isRegularFile(gz)) {
                paths.add(gz);
            } else if (Files.isRegularFile(plain)) {
                paths.add(plain);
            } else {
                missing.add(name + "[.gz]");
            }
        }
        if (!missing.isEmpty()) {
            throw new InputException(folder, "", "Fashion-MNIST files not found (missing " + String.join(", ", missing)
                    + "): install them with 'apt-get install dataset-fashion-mnist' (files in " + DEFAULT_DIR
                    + ") or pass --source DIR with the four IDX files");
        }
        IdxReader.IdxArray trainImages = IdxReader.read(paths.get(0));
        IdxReader.IdxArray trainLabels = IdxReader.read(paths.get(1));
        IdxReader.IdxArray testImages = IdxReader.read(paths.get(2));
        IdxReader.IdxArray testLabels = IdxReader.read(paths.get(3));
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("name", "fashion-mnist");
        source.put("train_items", trainImages.count());
        source.put("test_items", testImages.count());
        source.put("crc32", List.of(trainImages.crc32(), trainLabels.crc32(), testImages.crc32(),
                testLabels.crc32()));
        return new FashionMnist(items(trainImages, trainLabels, paths.get(0), paths.get(1)),
                items(testImages, testLabels, paths.get(2), paths.get(3)), source);
    }

    private static Items items(IdxReader.IdxArray images, IdxReader.IdxArray labels, Path imageFile, Path labelFile) {
        int[] d = images.dims();
        if (d.length != 3 || d[1] != SIDE || d[2] != SIDE) {
            throw new InputException(imageFile, "", "expected images of shape [n, 28, 28], found "
                    + java.util.Arrays.toString(d));
        }
        if (labels.dims().length != 1 || labels.count() != images.count()) {
            throw new InputException(labelFile, "", "expected " + images.count() + " labels (one per image of "
                    + imageFile.getFileName() + "), found shape " + java.util.Arrays.toString(labels.dims()));
        }
        int[] counts = new int[CLASS_NAMES.size()];
        byte[] l = labels.data();
        for (int i = 0; i < l.length; i++) {
            int c = l[i] & 0xFF;
            if (c >= counts.length) {
                throw new InputException(labelFile, "label " + i, "class " + c + " outside 0..9");
            }
            counts[c]++;
        }
        int[][] byClass = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] == 0) {
                throw new InputException(labelFile, "", "no item of class " + c + " (" + CLASS_NAMES.get(c) + ")");
            }
            byClass[c] = new int[counts[c]];
        }
        int[] fill = new int[counts.length];
        for (int i = 0; i < l.length; i++) {
            int c = l[i] & 0xFF;
            byClass[c][fill[c]++] = i;
        }
        return new Items(images.data(), byClass);
    }

    /** The training items (for {@code train} scenes). */
    public Items train() {
        return train;
    }

    /** The test items (for {@code val} scenes). */
    public Items test() {
        return test;
    }

    /** A fingerprint of the files read: item counts and CRC-32s, no paths. */
    public Map<String, Object> source() {
        return source;
    }
}
