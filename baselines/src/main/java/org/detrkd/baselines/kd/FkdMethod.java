package org.detrkd.baselines.kd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.baselines.fitnet.FeatureAdapter;
import org.detrkd.baselines.fkd.Fkd;
import org.detrkd.baselines.fkd.FkdSettings;
import org.detrkd.detr.distill.DistillationContext;
import org.detrkd.detr.distill.DistillationInputs;

/**
 * FKD (Zhang and Ma, ICLR 2021) as a DETR distillation method: {@link Fkd} on every level of the
 * {@link FeatureSource}. Terms {@code loss_fkd_feat, loss_fkd_channel, loss_fkd_spatial, loss_fkd_nonlocal}.
 * Presets {@code official} (default: T 0.1, channel mask, weights 7e-5/4e-3/4e-3/7e-5 x 6) and {@code mmrazor}
 * (T 0.5, no channel mask, no x 6). Options: {@code source, spatial-temperature, channel-temperature,
 * student-mask-ratio, channel-mask, feature-weight, channel-weight, spatial-weight, nonlocal-weight}.
 *
 * <p>Ours: where student and teacher channel counts differ (the mini backbones: 32/64/128 vs 64/128/256), a trainable
 * 1x1 align convolution first maps the student level to the teacher's width, as FGD and MGD do, so that the official
 * channel mask (which mixes student and teacher channel attentions) is defined; FKD's own adapters then act on the
 * aligned map.
 */
public final class FkdMethod extends FeatureKdMethod {

    /** Registry name. */
    public static final String NAME = "fkd";
    /** Option names. */
    public static final List<String> OPTIONS = List.of("source", "spatial-temperature", "channel-temperature",
            "student-mask-ratio", "channel-mask", "feature-weight", "channel-weight", "spatial-weight",
            "nonlocal-weight");

    private final Fkd block;
    private final List<FeatureAdapter> aligns;

    private FkdMethod(DistillationContext context, FeatureSource source, Fkd block, List<FeatureAdapter> aligns,
            Object[] children,
            NDManager manager) {
        super(NAME, context, source, new KdAdapters(children), manager, block.settings().weightDict(),
                describe(block.settings()));
        this.block = block;
        this.aligns = aligns;
    }

    /** The registry's factory (preset {@code official} (null) or {@code mmrazor}; options {@link #OPTIONS}). */
    public static FkdMethod create(DistillationContext c, NDManager manager, String preset,
            Map<String, String> options) {
        FkdSettings d = FkdSettings.preset(preset == null ? "official" : preset);
        KdOptions o = new KdOptions("FKD", options, OPTIONS);
        FeatureSource source = o.source();
        FkdSettings s = new FkdSettings(d.preset(), o.getDouble("spatial-temperature", d.spatialTemperature()),
                o.getDouble("channel-temperature", d.channelTemperature()),
                o.getDouble("student-mask-ratio", d.studentMaskRatio()), o.getBoolean("channel-mask",
                        d.useChannelMask()), o.getDouble("feature-weight", d.featureWeight()),
                o.getDouble("channel-weight", d.channelWeight()), o.getDouble("spatial-weight", d.spatialWeight()),
                o.getDouble("nonlocal-weight", d.nonLocalWeight()), d.nonLocal());
        int[] cs = source.channels(c.student());
        int[] ct = source.channels(c.teacher());
        List<FeatureAdapter> aligns = new ArrayList<>();
        Object[] children = new Object[2 * cs.length + 2];
        for (int l = 0; l < cs.length; l++) {
            FeatureAdapter a = cs[l] == ct[l] ? null : FeatureAdapter.conv1x1(cs[l], ct[l]);
            aligns.add(a);
            children[2 * l] = "align" + l;
            children[2 * l + 1] = a;
        }
        Fkd block = Fkd.builder().setStudentChannels(ct).setTeacherChannels(ct).optSettings(s).build();
        children[2 * cs.length] = "fkd";
        children[2 * cs.length + 1] = block;
        return new FkdMethod(c, source, block, aligns, children, manager);
    }

    /** @return the loss block */
    public Fkd block() {
        return block;
    }

    /** @return the align convolution of level {@code l}, or null when the widths agree */
    public FeatureAdapter align(int l) {
        return aligns.get(l);
    }

    @Override
    Map<String, NDArray> terms(ParameterStore ps, List<NDArray> student, List<NDArray> teacher, DistillationInputs in,
            boolean training) {
        List<NDArray> aligned = new ArrayList<>(student.size());
        for (int l = 0; l < student.size(); l++) {
            aligned.add(aligns.get(l) == null ? student.get(l) : aligns.get(l).apply(ps, student.get(l), training));
        }
        return block.losses(ps, aligned, teacher, training);
    }

    private static Map<String, Object> describe(FkdSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("preset", s.preset());
        m.put("spatial_temperature", s.spatialTemperature());
        m.put("channel_temperature", s.channelTemperature());
        m.put("student_mask_ratio", s.studentMaskRatio());
        m.put("channel_mask", s.useChannelMask());
        m.put("feature_weight", s.featureWeight());
        m.put("channel_weight", s.channelWeight());
        m.put("spatial_weight", s.spatialWeight());
        m.put("nonlocal_weight", s.nonLocalWeight());
        return m;
    }
}
