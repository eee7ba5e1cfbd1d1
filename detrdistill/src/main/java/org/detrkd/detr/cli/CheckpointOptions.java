package org.detrkd.detr.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.distill.StudentWeights;
import org.detrkd.detr.engine.CheckpointStore;
import org.detrkd.detr.model.Detector;
import org.detrkd.detr.train.DetectorFactory;
import org.detrkd.detr.train.RunSpec;
import picocli.CommandLine.Option;

/**
 * The options and checks shared by the commands that load a trained model ({@code evaluate}, {@code analyze
 * instability}): a checkpoint or run folder, a dataset folder and split, batch size, threads, JSON output. {@link
 * #prepare()} validates them, finds the run's {@code spec.json} and the weights, and pins the engine threads;
 * {@link #loadModel} rebuilds the detector from the spec and loads the weights (of {@code detrkd train} or of a
 * {@code detrkd distill} student).
 */
final class CheckpointOptions {

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "a checkpoint folder, or a run folder of 'detrkd train' or 'detrkd distill' (its latest "
                    + "checkpoint)")
    Path checkpoint;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "COCO-format dataset folder")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "dataset split (default: val)")
    String split;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "B")
    int batchSize;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: cores)")
    Integer threads;

    private RunSpec run;
    private Path weights;

    /**
     * Validates the options, reads the run's spec and locates the weights, and configures the engine threads.
     *
     * @return the number of intra-op threads in use
     * @throws InputException for bad options or folders
     */
    int prepare() throws IOException {
        TrainCommand.positive("--batch-size", batchSize);
        if (threads != null) {
            TrainCommand.positive("--threads", threads);
        }
        if (!Files.isDirectory(checkpoint)) {
            throw new InputException(checkpoint, "", "no such checkpoint folder");
        }
        if (!Files.isDirectory(data)) {
            throw new InputException(data, "", "no such dataset folder");
        }
        run = RunSpec.read(RunSpec.locate(checkpoint));
        weights = weights(checkpoint);
        return TrainCommand.configureThreads(threads);
    }

    /** @return the run's resolved settings (after {@link #prepare()}) */
    RunSpec run() {
        return run;
    }

    /** @return the checkpoint folder whose weights are loaded (after {@link #prepare()}) */
    Path weights() {
        return weights;
    }

    /**
     * @param classes the number of categories of the dataset split
     * @throws InputException if the model was trained for another number
     */
    void checkClasses(int classes) {
        if (classes != run.numClasses()) {
            throw new InputException(data, split, "has " + classes + " categories but the checkpoint's model was "
                    + "trained for " + run.numClasses());
        }
    }

    /** @return the run's detector, built from its spec on {@code manager}, with the checkpoint's weights */
    Detector loadModel(NDManager manager) throws IOException {
        Detector model = DetectorFactory.create(run, manager);
        StudentWeights.load(model, weights);
        return model;
    }

    /** A checkpoint folder as given, else the latest checkpoint of a run folder or a checkpoints folder. */
    static Path weights(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("student.safetensors"))) {
            return dir;
        }
        Path ckpts = Files.isDirectory(dir.resolve(RunSpec.CHECKPOINTS)) ? dir.resolve(RunSpec.CHECKPOINTS) : dir;
        List<Path> all = new CheckpointStore(ckpts, 0).list();
        if (all.isEmpty()) {
            throw new InputException(dir, "", "holds no checkpoint (no step-NNNNNNNNNNNN folder with weights)");
        }
        return all.get(all.size() - 1);
    }
}
