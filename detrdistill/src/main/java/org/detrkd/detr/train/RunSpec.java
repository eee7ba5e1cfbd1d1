package org.detrkd.detr.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.detrkd.datasets.io.InputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The resolved settings of a training run, written as {@code spec.json} in the run folder (beside
 * {@code checkpoints/}): enough to rebuild the model for evaluation and to check that a re-run with the same
 * {@code --out} continues the same run.
 *
 * @param detector detector name ({@link DetectorFactory#DETECTORS})
 * @param size teacher, student or paper
 * @param numClasses K, from the dataset's categories
 * @param queries object queries
 * @param data the dataset folder (absolute)
 * @param trainSplit the training split
 * @param evalSplit the evaluation split
 * @param epochs number of epochs (the step cap when {@code minutes > 0})
 * @param minutes time budget in minutes, 0 for none
 * @param batchSize images per step
 * @param lr base learning rate (transformer and heads)
 * @param backboneLrFactor multiplier of the backbone's learning rate (0.1 in DETR)
 * @param weightDecay AdamW decoupled weight decay
 * @param clipMaxNorm global gradient-norm clipping threshold
 * @param warmupSteps linear warm-up steps
 * @param lrDropEpochs epochs (0-based) at whose start the rate is multiplied by {@code lrDropFactor}
 * @param lrDropFactor the decay factor
 * @param augmentation the training augmentation ({@code flip} or {@code none})
 * @param imageSize the dataset's image side (informational; the model accepts any size)
 * @param seed the run seed (initialisation, data order, augmentation)
 * @param threads intra-op threads of the engine
 * @param evalEvery evaluate every this many epochs (0: only at the end)
 * @param checkpointEvery write a checkpoint every this many epochs (and always at the end)
 * @param featureLevel the backbone level Conditional DETR reads (4 or 5), 0 for the preset's (a {@code spec.json}
 *     written before this field existed reads as 0)
 * @param backboneWeights the pretrained backbone file a fresh run started from ({@code detrkd pretrain}), or null
 * @param backboneWeightsSha256 that file's SHA-256 (hex), or null; part of the run's identity
 * @param provenance commit, DJL and PyTorch versions, machine
 */
public record RunSpec(String detector, String size, int numClasses, int queries, String data, String trainSplit,
        String evalSplit, int epochs, double minutes, int batchSize, double lr, double backboneLrFactor,
        double weightDecay, double clipMaxNorm, long warmupSteps, int[] lrDropEpochs, double lrDropFactor,
        String augmentation, int imageSize, long seed, int threads, int evalEvery, int checkpointEvery,
        int featureLevel, String backboneWeights, String backboneWeightsSha256, Map<String, Object> provenance) {

    /** File name of the spec inside the run folder. */
    public static final String FILE = "spec.json";
    /** Folder of the checkpoints inside the run folder. */
    public static final String CHECKPOINTS = "checkpoints";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Copies the array. */
    public RunSpec {
        lrDropEpochs = lrDropEpochs == null ? new int[0] : lrDropEpochs.clone();
    }

    /** @return whether the run is bounded by a time budget */
    public boolean timed() {
        return minutes > 0;
    }

    /**
     * The settings that must agree for a re-run to continue this run (everything that changes the trajectory,
     * except threads, the time budget and the evaluation interval).
     *
     * @param other the spec of the earlier run
     * @return the differing settings as {@code name: old -> new}, empty when the runs agree
     */
    public List<String> differences(RunSpec other) {
        List<String> out = new ArrayList<>();
        diff(out, "detector", other.detector, detector);
        diff(out, "size", other.size, size);
        diff(out, "num_classes", other.numClasses, numClasses);
        diff(out, "queries", other.queries, queries);
        diff(out, "data", other.data, data);
        diff(out, "epochs", other.epochs, epochs);
        diff(out, "batch_size", other.batchSize, batchSize);
        diff(out, "lr", other.lr, lr);
        diff(out, "backbone_lr_factor", other.backboneLrFactor, backboneLrFactor);
        diff(out, "weight_decay", other.weightDecay, weightDecay);
        diff(out, "warmup_steps", other.warmupSteps, warmupSteps);
        diff(out, "lr_drop_epochs", Arrays.toString(other.lrDropEpochs), Arrays.toString(lrDropEpochs));
        diff(out, "augmentation", other.augmentation, augmentation);
        diff(out, "seed", other.seed, seed);
        diff(out, "feature_level", other.featureLevel, featureLevel);
        diff(out, "backbone_weights_sha256", other.backboneWeightsSha256, backboneWeightsSha256);
        return out;
    }

    private static void diff(List<String> out, String name, Object old, Object now) {
        if (!Objects.equals(old, now)) {
            out.add(name + ": " + old + " -> " + now);
        }
    }

    /**
     * Writes {@code spec.json} atomically.
     *
     * @param runDir the run folder
     * @throws IOException if writing fails
     */
    public void write(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        Path tmp = Files.createTempFile(runDir, ".spec-", ".json");
        Files.write(tmp, JSON.writeValueAsBytes(this));
        Files.move(tmp, runDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * @param file a {@code spec.json}
     * @return the spec
     * @throws InputException if it cannot be read
     */
    public static RunSpec read(Path file) {
        try {
            return JSON.readValue(file.toFile(), RunSpec.class);
        } catch (IOException e) {
            throw new InputException(file, "", "not a readable run spec: " + e.getMessage().lines().findFirst()
                    .orElse(""));
        }
    }

    /**
     * Finds the {@code spec.json} of a run from its run folder, its checkpoints folder or one checkpoint folder.
     *
     * @param dir one of those folders
     * @return the spec file
     * @throws InputException when none of {@code dir}, its parent or grandparent holds one
     */
    public static Path locate(Path dir) {
        Path p = dir.toAbsolutePath().normalize();
        for (int up = 0; up < 3 && p != null; up++, p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(FILE))) {
                return p.resolve(FILE);
            }
        }
        throw new InputException(dir, "", "no " + FILE + " in this folder, its parent or grandparent: not a run "
                + "or checkpoint folder of 'detrkd train'");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunSpec r && r.differences(this).isEmpty() && r.threads == threads
                && r.minutes == minutes && r.evalEvery == evalEvery && Objects.equals(r.evalSplit, evalSplit)
                && Objects.equals(r.trainSplit, trainSplit) && r.clipMaxNorm == clipMaxNorm
                && r.lrDropFactor == lrDropFactor && r.imageSize == imageSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(detector, size, data, seed, batchSize);
    }
}
