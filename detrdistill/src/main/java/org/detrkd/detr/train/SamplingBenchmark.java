package org.detrkd.detr.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;

import org.detrkd.detr.adamixer.AdaMixerConfig;
import org.detrkd.detr.adamixer.AdaMixerStage;
import org.detrkd.detr.adamixer.AdaptiveSampling;
import org.detrkd.detr.backbone.ResNetSpec;
import org.detrkd.detr.deformable.DeformableDecoderLayer;
import org.detrkd.detr.deformable.DeformableDetrConfig;
import org.detrkd.detr.deformable.DeformableEncoderLayer;
import org.detrkd.detr.ops.MultiScaleDeformableAttention;
import org.detrkd.detr.ops.SpatialShapes;
import org.detrkd.detr.ops.TentSampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the bilinear sampling path costs inside a layer: for Deformable DETR's encoder and decoder layers and for an
 * AdaMixer stage at a preset's sizes, the median forward + backward time of the whole layer (training mode, random
 * inputs of the real shapes) and of its sampling core alone on inputs of the same shapes ({@link
 * MultiScaleDeformableAttention#core}, {@link AdaptiveSampling#sample}); the rest of the layer is the difference.
 * The target: the sampling path should not cost more than the rest of the layer.
 *
 * <p>Level shapes are those of a square image of the given size (strides 8, 16, 32, 64; Deformable DETR and the
 * paper AdaMixer use four levels, the mini AdaMixer three). Which sampling path ran (dense tents or gathers) is
 * reported; the gather path keeps its sampled values for the backward pass, which is what makes it memory-bound.
 */
public final class SamplingBenchmark {

    /**
     * @param detector {@code deformable-detr} or {@code adamixer}
     * @param size teacher, student, paper or paper-teacher
     * @param batch images
     * @param imageSize square image side
     * @param steps timed repeats
     * @param warmup untimed repeats first
     */
    public record Settings(String detector, String size, int batch, int imageSize, int steps, int warmup) {}

    private SamplingBenchmark() {}

    /**
     * @param s the settings
     * @return the report: per layer kind, layer / core / rest medians in ms and the core's share
     */
    public static Map<String, Object> run(Settings s) {
        Engine.getInstance().setRandomSeed(1);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("detector", s.detector());
        report.put("size", s.size());
        report.put("batch_size", s.batch());
        report.put("image_size", s.imageSize());
        report.put("steps", s.steps());
        try (NDManager model = NDManager.newBaseManager()) {
            if (s.detector().equals("adamixer")) {
                AdaMixerConfig c = adaMixer(s.size());
                SpatialShapes shapes = shapes(s.imageSize(), c.strides().length);
                report.put("levels", shapes.toString());
                report.put("stage", adaMixerStage(s, c, shapes, model));
            } else {
                DeformableDetrConfig c = deformable(s.size());
                SpatialShapes shapes = shapes(s.imageSize(), c.featureLevels());
                report.put("levels", shapes.toString());
                report.put("encoder_layer", deformableLayer(s, c, shapes, shapes.total(), true, model));
                report.put("decoder_layer", deformableLayer(s, c, shapes, c.numQueries(), false, model));
            }
        }
        report.put("note", "medians of forward + backward (training mode); core = the sampling alone on inputs of the "
                + "same shapes; rest = layer - core");
        return report;
    }

    private static Map<String, Object> deformableLayer(Settings s, DeformableDetrConfig c, SpatialShapes shapes,
            int queries, boolean encoder, NDManager model) {
        int d = c.hiddenDim();
        XavierInitializer xavier = new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                XavierInitializer.FactorType.AVG, 6);
        AbstractBlock layer = encoder
                ? new DeformableEncoderLayer(d, c.ffnDim(), c.featureLevels(), c.heads(), c.points(), 0f, xavier)
                : new DeformableDecoderLayer(d, c.ffnDim(), c.featureLevels(), c.heads(), c.points(), 0f, xavier);
        layer.initialize(model, DataType.FLOAT32, new Shape(1, 1, d));
        long b = s.batch();
        long q = queries;
        int levels = c.featureLevels();
        Function<NDManager, List<NDArray>> inputs = m -> List.of(m.randomNormal(new Shape(b, q, d)),
                m.randomNormal(new Shape(b, q, d)), m.randomUniform(0.05f, 0.95f, new Shape(b, q, levels, 2)),
                m.randomNormal(new Shape(b, shapes.total(), d)));
        ParameterStore ps = new ParameterStore(model, false);
        double layerMs = time(s, model, inputs, in -> encoder
                ? ((DeformableEncoderLayer) layer).apply(ps, in.get(0), in.get(1), in.get(2), shapes, null, true)
                : ((DeformableDecoderLayer) layer).apply(ps, in.get(0), in.get(1), in.get(2), in.get(3), shapes,
                        null, null, true));
        long heads = c.heads();
        long channels = d / heads;
        int points = c.points();
        Function<NDManager, List<NDArray>> coreInputs = m -> List.of(
                m.randomNormal(new Shape(b, shapes.total(), heads, channels)),
                m.randomUniform(0f, 1f, new Shape(b, q, heads, levels, points, 2)),
                m.randomUniform(0f, 1f, new Shape(b, q, heads, levels, points)));
        double coreMs = time(s, model, coreInputs,
                in -> MultiScaleDeformableAttention.core(in.get(0), shapes, in.get(1), in.get(2)));
        Map<String, Object> m = entry(layerMs, coreMs);
        m.put("queries", q);
        m.put("sampling_path", TentSampling.preferred(shapes, points, channels) ? "dense" : "gather");
        return m;
    }

    private static Map<String, Object> adaMixerStage(Settings s, AdaMixerConfig c, SpatialShapes shapes,
            NDManager model) {
        AdaMixerStage stage = new AdaMixerStage(c);
        stage.initialize(model, DataType.FLOAT32, new Shape(1, 1, c.hiddenDim()));
        long b = s.batch();
        long q = c.numQueries();
        int d = c.hiddenDim();
        int px = s.imageSize();
        int[] strides = c.strides();
        Function<NDManager, List<NDArray>> inputs = m -> {
            NDArray xy = m.randomUniform(0.2f * px, 0.8f * px, new Shape(b, q, 2));
            NDArray zr = m.randomUniform(4f, 6f, new Shape(b, q, 1)).concat(m.zeros(new Shape(b, q, 1)), 2);
            return List.of(m.randomNormal(new Shape(b, q, d)), xy.concat(zr, 2),
                    m.randomNormal(new Shape(b, shapes.total(), d)));
        };
        ParameterStore ps = new ParameterStore(model, false);
        double layerMs = time(s, model, inputs, in -> stage.apply(ps, in.get(0), in.get(1).stopGradient(), in.get(2),
                shapes, strides, px, px, null, true).content());
        long g = c.groups();
        long p = c.inPoints();
        Function<NDManager, List<NDArray>> coreInputs = m -> List.of(
                m.randomNormal(new Shape(b, shapes.total(), d)),
                m.randomUniform(0f, (float) px, new Shape(b, q, g, p, 2)),
                m.randomUniform(0f, 1f, new Shape(b, q, g, shapes.levels(), p)));
        double coreMs = time(s, model, coreInputs,
                in -> AdaptiveSampling.sample(in.get(0), shapes, strides, in.get(1), in.get(2)));
        Map<String, Object> m = entry(layerMs, coreMs);
        m.put("queries", q);
        m.put("sampling_path", TentSampling.preferred(shapes, 1, d / g) ? "dense" : "gather");
        return m;
    }

    private static Map<String, Object> entry(double layerMs, double coreMs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer_ms", layerMs);
        m.put("sampling_core_ms", coreMs);
        m.put("rest_ms", layerMs - coreMs);
        m.put("core_over_rest", coreMs / Math.max(1e-9, layerMs - coreMs));
        return m;
    }

    /** Median forward + backward of {@code f} on fresh inputs (each requiring a gradient) per repeat. */
    private static double time(Settings s, NDManager model, Function<NDManager, List<NDArray>> inputs,
            Function<List<NDArray>, NDArray> f) {
        double[] ms = new double[s.steps()];
        for (int i = -s.warmup(); i < s.steps(); i++) {
            try (NDManager m = model.newSubManager()) {
                List<NDArray> in = new ArrayList<>(inputs.apply(m));
                for (NDArray x : in) {
                    x.setRequiresGradient(true);
                }
                long t0 = System.nanoTime();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = f.apply(in);
                    gc.backward(out.mul(m.randomNormal(out.getShape())).sum());
                }
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
    }

    /** Level shapes of a square image: ceil-halved from stride 8 (as strided convolutions give). */
    static SpatialShapes shapes(int imageSize, int levels) {
        int[] hw = new int[2 * levels];
        int side = (imageSize + 7) / 8;
        for (int l = 0; l < levels; l++) {
            hw[2 * l] = side;
            hw[2 * l + 1] = side;
            side = (side + 1) / 2;
        }
        return SpatialShapes.of(hw);
    }

    private static DeformableDetrConfig deformable(String size) {
        return switch (size) {
            case "teacher" -> DeformableDetrConfig.miniTeacher(8);
            case "student" -> DeformableDetrConfig.miniStudent(8);
            default -> DeformableDetrConfig.paper(91, ResNetSpec.resnet50());
        };
    }

    private static AdaMixerConfig adaMixer(String size) {
        return switch (size) {
            case "teacher" -> AdaMixerConfig.miniTeacher(8);
            case "student" -> AdaMixerConfig.miniStudent(8);
            default -> AdaMixerConfig.paper(91, ResNetSpec.resnet50());
        };
    }
}
