package org.detrkd.suites.spec;

import java.util.List;
import java.util.Map;
import org.detrkd.reports.model.Scale;

/**
 * One suite file as read ({@link SuiteReader}): one paper table, defined once and run at three scales.
 *
 * <p>Everything that depends on the scale (data, backbones, image size, batch, seeds, how the paper's epochs, stage
 * and query counts map to this scale's, schedule overrides, pretrained backbone files, existing teachers, the teacher
 * gate) is in {@link #scales()}, complete for each scale: no defaults inherited from elsewhere. The rest
 * (setups, methods, grid) is shared. {@link SuiteExpander} turns a suite and a scale into {@link Cell}s.
 *
 * @param id the suite id ({@code table1} ... {@code table7}, {@code clockdistill}, or a user's)
 * @param title one line for listings
 * @param paperTable the key in {@code paper-tables.json}, or null for a suite without a paper table
 * @param scales the three scales
 * @param setups detector setups; each is a group of the paper's table (or the only one)
 * @param methods the method entries, each a row of the paper's table
 * @param grid the grid expanded over every (setup, method) pair
 * @param file where the suite was read from (resource name or path)
 * @param sources locations of keys by path ({@code setups[1].student.decoder_stages}), for validation messages
 */
public record SuiteSpec(String id, String title, String paperTable, Map<Scale, ScaleSpec> scales,
        List<SetupSpec> setups, List<MethodEntry> methods, GridSpec grid, String file, Map<String, YamlNode.Loc> sources) {

    /** The location of a key path, or line 1. */
    public String where(String path) {
        YamlNode.Loc l = sources.get(path);
        return l == null ? "line 1" : l.toString();
    }

    /**
     * The settings of one scale.
     *
     * @param scale the scale
     * @param dataset the data
     * @param teacherBackbone backbone of every teacher
     * @param studentBackbone backbone of every student
     * @param image image size
     * @param batch images per step
     * @param seeds student seeds (each cell is run once per seed)
     * @param teacherSeed the seed of the (one, cached) teacher of each setup
     * @param epochs the paper's epochs to this scale's epochs
     * @param encoderStages the suite's encoder stage counts to this scale's ({@code stages.encoder}); empty: as written
     * @param decoderStages the suite's decoder stage counts to this scale's ({@code stages.decoder}); empty: as written
     * @param queries the suite's query counts to this scale's; empty: as written
     * @param schedule overrides of every setup's schedule at this scale (no field set: none)
     * @param backboneWeights pretrained backbones every student (and every teacher the runner trains) starts from
     * @param teachers setup id to an existing teacher ({@code detrkd train} run folder or {@code builtin:NAME})
     *     used instead of training one
     * @param teacherMinAp the teacher gate's threshold at this scale, or null for the default (0.01; no gate at smoke)
     */
    public record ScaleSpec(Scale scale, DatasetSpec dataset, String teacherBackbone, String studentBackbone,
            ImageSpec image, int batch, List<Long> seeds, long teacherSeed, Map<Integer, Integer> epochs,
            Map<Integer, Integer> encoderStages, Map<Integer, Integer> decoderStages, Map<Integer, Integer> queries,
            ScheduleOverride schedule, BackboneWeightsSpec backboneWeights, Map<String, String> teachers,
            Double teacherMinAp) {

        /**
         * A model's stages and queries at this scale. A count of 0 (no encoder) stays 0; a count the maps do not
         * list is kept as written (the validator refuses a suite whose maps miss a count it uses).
         */
        public ArchSpec map(ArchSpec a) {
            return new ArchSpec(mapCount(encoderStages, a.encoderStages()), mapCount(decoderStages,
                    a.decoderStages()), a.queries() == 0 ? 0 : mapCount(queries, a.queries()));
        }

        private static int mapCount(Map<Integer, Integer> m, int n) {
            return n == 0 || m.isEmpty() ? n : m.getOrDefault(n, n);
        }
    }

    /**
     * Pretrained backbone files of a scale ({@code backbone_weights}): a path (relative to the data root) or
     * {@code builtin:mini-student} (the shipped file), or null for random initialisation.
     *
     * @param teacher for every teacher the runner trains itself
     * @param student for every student
     */
    public record BackboneWeightsSpec(String teacher, String student) {
        /** No pretrained backbones. */
        public static final BackboneWeightsSpec NONE = new BackboneWeightsSpec(null, null);
    }

    /**
     * A scale's overrides of the setups' schedule fields ({@code schedule:} under a scale); null fields keep the
     * setup's value.
     *
     * @param optimizer optimizer
     * @param lr base learning rate
     * @param backboneLrFactor multiplier of the backbone (and Deformable DETR's sampling offsets and reference points)
     * @param weightDecay decoupled weight decay
     * @param gradClip global gradient-norm clip
     * @param lrDrops drop fractions of the schedule
     * @param lrDropFactor multiplier at each drop
     * @param warmupEpochs warm-up in epochs
     * @param warmupSteps warm-up in steps (wins over warm-up epochs)
     */
    public record ScheduleOverride(String optimizer, Double lr, Double backboneLrFactor, Double weightDecay,
            Double gradClip, List<Double> lrDrops, Double lrDropFactor, Double warmupEpochs, Long warmupSteps) {
        /** No override. */
        public static final ScheduleOverride NONE = new ScheduleOverride(null, null, null, null, null, null, null,
                null, null);

        /** The setup's schedule with these overrides. */
        public ScheduleSpec apply(ScheduleSpec s) {
            return new ScheduleSpec(s.epochs(), optimizer != null ? optimizer : s.optimizer(), lr != null ? lr : s.lr(),
                    backboneLrFactor != null ? backboneLrFactor : s.backboneLrFactor(),
                    weightDecay != null ? weightDecay : s.weightDecay(), gradClip != null ? gradClip : s.gradClip(),
                    lrDrops != null ? lrDrops : s.lrDrops(), lrDropFactor != null ? lrDropFactor : s.lrDropFactor(),
                    warmupEpochs != null ? warmupEpochs : s.warmupEpochs(),
                    warmupSteps != null ? warmupSteps : s.warmupSteps());
        }
    }

    /**
     * The data of a scale.
     *
     * @param kind {@code coco} (a folder given by path) or a generator ({@code shapes}, {@code fashion})
     * @param path the dataset folder (relative paths are relative to the working directory)
     * @param trainImages training images (for generated data: how many to generate; for COCO: for time estimates)
     * @param valImages validation images
     * @param imageSize generated image side in pixels (0 for COCO)
     * @param seed generator seed (0 for COCO)
     */
    public record DatasetSpec(String kind, String path, int trainImages, int valImages, int imageSize, long seed) {
        /** Whether the data is generated (and so need not exist before a run). */
        public boolean generated() {
            return !"coco".equals(kind);
        }
    }

    /**
     * Input size: the shorter side is resized to {@code shortSide}, the longer capped at {@code maxSide}.
     *
     * @param shortSide pixels
     * @param maxSide pixels
     */
    public record ImageSpec(int shortSide, int maxSide) {
    }

    /**
     * One detector setup (a group of the paper's table).
     *
     * @param id short id, the first part of cell ids ({@code adamixer})
     * @param group the paper's group name (table 3's detector blocks), or null
     * @param detector the detector
     * @param teacher the teacher's stages and queries
     * @param student the student's stages and queries
     * @param schedule the training schedule in the paper's epochs
     */
    public record SetupSpec(String id, String group, String detector, ArchSpec teacher, ArchSpec student,
            ScheduleSpec schedule) {
    }

    /**
     * Transformer size of a model.
     *
     * @param encoderStages encoder layers (0 for AdaMixer)
     * @param decoderStages decoder layers
     * @param queries object queries
     */
    public record ArchSpec(int encoderStages, int decoderStages, int queries) {
        /** {@code 6/3} (encoder/decoder), the paper's table 4 label. */
        public String label() {
            return encoderStages + "/" + decoderStages;
        }
    }

    /**
     * A training schedule. Learning-rate drops are fractions of the schedule so that one definition serves every
     * scale: the drop epochs are {@code floor(fraction * epochs)} (0-based epochs at whose start the rate drops).
     *
     * @param epochs the paper's epochs
     * @param optimizer {@code adamw}
     * @param lr base learning rate
     * @param backboneLrFactor backbone multiplier
     * @param weightDecay decoupled weight decay
     * @param gradClip global gradient-norm clip (0: none)
     * @param lrDrops fractions of the schedule, ascending in (0, 1)
     * @param lrDropFactor multiplier at each drop
     * @param warmupEpochs linear warm-up length in epochs (may be fractional; the runner converts to steps)
     * @param warmupSteps linear warm-up length in steps, or null to use {@code warmupEpochs}
     */
    public record ScheduleSpec(int epochs, String optimizer, double lr, double backboneLrFactor, double weightDecay,
            double gradClip, List<Double> lrDrops, double lrDropFactor, double warmupEpochs, Long warmupSteps) {
    }

    /**
     * One method entry: a row of the paper's table.
     *
     * @param id short id, the second part of cell ids ({@code detrdistill}, {@code ld+fd})
     * @param row the paper's row label
     * @param method the method ({@link Methods#NAMES})
     * @param preset the preset, or null for methods without presets
     * @param options the resolved options
     * @param setups the setup ids it runs on (empty: all)
     * @param paperValue the paper's number when the table lacks the row (e.g. table 4's teacher, stated in the
     *     caption), or null; see {@link #explicitlyNotInPaper}
     * @param explicitlyNotInPaper true when the file says {@code paper_value: null}: a row the paper does not have
     */
    public record MethodEntry(String id, String row, String method, String preset, MethodOptions options,
            List<String> setups, Map<String, Double> paperValue, boolean explicitlyNotInPaper) {
    }

    /**
     * The grid: each non-empty dimension multiplies the cells of every non-teacher entry.
     *
     * @param epochs separate training schedules in the paper's epochs (table 1); each cell's paper column is
     *     {@code AP@epochN}; empty: the setup's schedule
     * @param studentStages student stage variants (table 4); each becomes the paper group {@code enc/dec}; empty: the
     *     setup's student
     */
    public record GridSpec(List<Integer> epochs, List<ArchSpec> studentStages) {
    }
}
