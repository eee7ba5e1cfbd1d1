package org.detrkd.datasets.coco;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrkd.datasets.io.InputException;

/**
 * The on-disk layout of a COCO-format dataset folder, shared by the generators, the validator, the DJL dataset and
 * the evaluator, so that every tool finds the same files.
 *
 * <pre>
 * DIR/annotations/instances_SPLIT.json   ground truth of a split (SPLIT = train, val)
 * DIR/SPLIT/                             the split's images, {@code file_name} relative to it
 * DIR/dataset.json                       (generated datasets only) generator, version, seed and settings
 * </pre>
 *
 * <p>The COCO 2017 release fits the same rule with the year as a suffix ({@code instances_val2017.json},
 * {@code val2017/}); {@link #split} accepts both, so a paper-scale run is simply given the COCO folder's path.
 *
 * @param root the dataset folder
 */
public record CocoFolder(Path root) {
    /** Standard split names, in the order they are listed. */
    public static final List<String> SPLITS = List.of("train", "val");
    /** Year suffixes tried after the bare name, for the COCO releases. */
    private static final List<String> SUFFIXES = List.of("", "2017", "2014");

    /** Opens a dataset folder, failing with a one-line message when it does not exist. */
    public static CocoFolder open(Path root) {
        if (!Files.isDirectory(root)) {
            throw new InputException(root, "", Files.exists(root) ? "not a folder" : "dataset folder not found");
        }
        return new CocoFolder(root);
    }

    /** The annotation file of a split in a folder that is being written (no existence check). */
    public Path annotationFile(String split) {
        return root.resolve("annotations").resolve("instances_" + split + ".json");
    }

    /** The image folder of a split in a folder that is being written (no existence check). */
    public Path imageDir(String split) {
        return root.resolve(split);
    }

    /** The metadata file a generator writes beside the splits. */
    public Path metadataFile() {
        return root.resolve("dataset.json");
    }

    /**
     * Finds an existing split, trying {@code SPLIT}, {@code SPLIT2017} and {@code SPLIT2014}.
     *
     * @throws InputException naming the folder and the files looked for when the split is absent
     */
    public Split split(String name) {
        for (String suffix : SUFFIXES) {
            Path ann = annotationFile(name + suffix);
            if (Files.isRegularFile(ann)) {
                return new Split(name + suffix, ann, imageDir(name + suffix));
            }
        }
        throw new InputException(root, "", "no '" + name + "' split: expected annotations/instances_" + name
                + ".json (or instances_" + name + "2017.json)");
    }

    /** The standard splits present in the folder, in {@link #SPLITS} order. */
    public List<Split> splits() {
        List<Split> found = new ArrayList<>();
        for (String name : SPLITS) {
            for (String suffix : SUFFIXES) {
                Path ann = annotationFile(name + suffix);
                if (Files.isRegularFile(ann)) {
                    found.add(new Split(name + suffix, ann, imageDir(name + suffix)));
                    break;
                }
            }
        }
        return found;
    }

    /**
     * One split of a dataset folder.
     *
     * @param name the split's name as found on disk ({@code val}, {@code val2017})
     * @param annotations its instances JSON file
     * @param images the folder its {@code file_name}s are relative to
     */
    public record Split(String name, Path annotations, Path images) {}
}
