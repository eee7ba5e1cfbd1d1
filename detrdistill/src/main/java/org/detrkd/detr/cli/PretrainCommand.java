package org.detrkd.detr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.pretrain.BackbonePretrainer;
import org.detrkd.detr.pretrain.CropSampler;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code detrkd pretrain --size teacher|student --data DIR --out FILE [--steps N] [--minutes M]}: pretrains the mini
 * backbone as a classifier of the training split's object crops (plus a background class), as the paper's backbones
 * are ImageNet classifiers, and writes its weights as safetensors for {@code detrkd train --backbone-weights FILE}.
 * Prints the steps, time, final loss and the crop accuracy on the validation split. See {@link BackbonePretrainer}.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pretrain a mini backbone on object crops of a COCO-format folder (for train --backbone-weights).")
public final class PretrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--size", required = true, description = "teacher or student (the mini backbones)")
    String size;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "COCO-format dataset folder")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "safetensors file to write")
    Path out;

    @Option(names = "--steps", defaultValue = "2000", paramLabel = "N", description = "steps of the cosine schedule "
            + "(default: ${DEFAULT-VALUE})")
    long steps;

    @Option(names = "--minutes", defaultValue = "0", paramLabel = "M", description = "stop earlier after M minutes "
            + "(0: no limit; a run stopped by time is not reproducible step for step)")
    double minutes;

    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "B")
    int batchSize;

    @Option(names = "--lr", defaultValue = "2e-3", paramLabel = "LR", description = "peak learning rate")
    double lr;

    @Option(names = "--crop-size", defaultValue = "48", paramLabel = "S", description = "crop side in pixels")
    int cropSize;

    @Option(names = "--background-share", defaultValue = "0.1", paramLabel = "P",
            description = "share of background crops")
    double backgroundShare;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: cores)")
    Integer threads;

    @Option(names = "--log-every", defaultValue = "100", paramLabel = "STEPS")
    int logEvery;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ResNetSpec backbone = backbone(size);
        TrainCommand.positive("--steps", steps);
        TrainCommand.positive("--batch-size", batchSize);
        TrainCommand.positive("--crop-size", cropSize);
        TrainCommand.positive("--log-every", logEvery);
        TrainCommand.positiveReal("--lr", lr);
        if (!(minutes >= 0) || Double.isInfinite(minutes)) {
            throw new InputException((String) null, "--minutes", "must be >= 0, got " + minutes, null);
        }
        if (!(backgroundShare >= 0 && backgroundShare < 1)) {
            throw new InputException((String) null, "--background-share", "must be in [0, 1), got "
                    + backgroundShare, null);
        }
        if (!Files.isDirectory(data)) {
            throw new InputException(data, "", "no such dataset folder");
        }
        if (threads != null) {
            TrainCommand.positive("--threads", threads);
        }
        TrainCommand.configureThreads(threads);
        CropSampler train = new CropSampler(data, "train", cropSize, backgroundShare);
        CropSampler val = new CropSampler(data, "val", cropSize, 0);
        BackbonePretrainer.Result r = new BackbonePretrainer(new BackbonePretrainer.Settings(backbone, batchSize, lr,
                steps, minutes, seed, logEvery)).run(train, val, out);
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("backbone", backbone.name());
            o.put("out", out.toAbsolutePath().toString());
            o.put("steps", r.steps());
            o.put("seconds", r.seconds());
            o.put("last_loss", r.lastLoss());
            o.put("val_crop_accuracy", r.evalAccuracy());
            o.put("val_crops", r.evalCrops());
            w.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o));
        } else {
            w.printf(Locale.ROOT, "pretrained %s: %d steps, %.1f min, loss %.4f, val crop accuracy %.4f (%d crops); "
                    + "weights %s%n", backbone.name(), r.steps(), r.seconds() / 60, r.lastLoss(), r.evalAccuracy(),
                    r.evalCrops(), out);
        }
        w.flush();
        return 0;
    }

    /**
     * @param size teacher or student
     * @return the mini backbone preset of that size
     * @throws InputException otherwise
     */
    static ResNetSpec backbone(String size) {
        return switch (size) {
            case "teacher" -> ResNetSpec.miniTeacher();
            case "student" -> ResNetSpec.miniStudent();
            default -> throw new InputException((String) null, "--size", "unknown size '" + size
                    + "'; known: teacher, student (the mini backbones)", null);
        };
    }
}
