package org.detrkd.suites.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;
import org.detrkd.reports.model.PaperRef;
import org.detrkd.reports.model.Scale;
import org.detrkd.suites.spec.SuiteSpec.DatasetSpec;
import org.detrkd.suites.spec.SuiteSpec.ImageSpec;

/**
 * One run of a suite at one scale and seed, fully resolved: everything a runner needs to train and evaluate it and
 * everything a report needs to place its result ({@link #paper()}, {@link #paperValue()}).
 *
 * <p>For {@code method = teacher} the cell trains and evaluates the teacher itself: {@link #student()} is the teacher
 * model and {@link #teacher()} its own spec (so {@link #teacherHash()} is the cache key the distillation cells of the
 * same setup look up). For {@code method = none} there is no teacher.
 *
 * @param suite suite id
 * @param scale scale
 * @param cellId stable, readable id without the seed ({@code adamixer.fgd.e4}); the result's {@code cell_id}
 * @param seed the student's seed
 * @param method method name ({@link Methods#NAMES})
 * @param preset preset, or null
 * @param options resolved options
 * @param teacher the teacher (model, schedule, seed), or null for {@code none}
 * @param student the model trained by this cell
 * @param schedule the student's schedule at this scale
 * @param dataset the data at this scale
 * @param paper where the cell sits in the paper's table
 * @param paperValue the paper's numbers (0-100): AP, APs, APm, APl, or only AP for table 1's epoch columns;
 *     empty when the paper has no such cell
 * @param teacherMinAp the scale's {@code teacher_min_ap}, or null (see {@link #requiredTeacherAp()}); not in the
 *     spec hash (a gate, not a setting of the training)
 */
@JsonPropertyOrder({"suite", "scale", "cell_id", "seed", "method", "preset", "options", "teacher", "student",
        "schedule", "dataset", "paper", "paper_value", "teacher_min_ap"})
public record Cell(@JsonProperty("suite") String suite, @JsonProperty("scale") Scale scale,
        @JsonProperty("cell_id") String cellId, @JsonProperty("seed") long seed,
        @JsonProperty("method") String method, @JsonProperty("preset") String preset,
        @JsonProperty("options") MethodOptions options, @JsonProperty("teacher") TeacherSpec teacher,
        @JsonProperty("student") ModelSpec student, @JsonProperty("schedule") TrainingSchedule schedule,
        @JsonProperty("dataset") DatasetSpec dataset, @JsonProperty("paper") PaperRef paper,
        @JsonProperty("paper_value") Map<String, Double> paperValue,
        @JsonProperty("teacher_min_ap") @JsonInclude(JsonInclude.Include.NON_NULL) Double teacherMinAp) {

    /** The teacher gate's threshold outside smoke scale when the scale declares none (as {@code detrkd distill}'s). */
    public static final double DEFAULT_MIN_TEACHER_AP = 0.01;

    /**
     * The AP below which the runner refuses this cell's teacher: the scale's {@code teacher_min_ap}, else
     * {@link #DEFAULT_MIN_TEACHER_AP}, except at smoke scale, where an untrained teacher is expected (no gate, -1).
     */
    @JsonIgnore
    public double requiredTeacherAp() {
        return teacherMinAp != null ? teacherMinAp : scale == Scale.SMOKE ? -1 : DEFAULT_MIN_TEACHER_AP;
    }

    /** This cell with other models (the runner's resolved files: their SHA-256 filled in). */
    public Cell withModels(TeacherSpec newTeacher, ModelSpec newStudent) {
        return new Cell(suite, scale, cellId, seed, method, preset, options, newTeacher, newStudent, schedule, dataset,
                paper, paperValue, teacherMinAp);
    }

    /** The run id: the cell id with its seed ({@code adamixer.detrdistill.seed0}), a folder name for the runner. */
    @JsonIgnore
    public String runId() {
        return cellId + ".seed" + seed;
    }

    /**
     * The method name as reports expect it in {@code result.json}: {@code student} for the plain student
     * ({@code none}), otherwise the method itself.
     */
    @JsonIgnore
    public String resultMethod() {
        return "none".equals(method) ? "student" : method;
    }

    /**
     * A hash of everything that decides what this cell trains (models, method, options, schedule, data, seed), not of
     * labels (suite, cell id, paper reference): equal hashes in different suites are the same run.
     */
    @JsonIgnore
    public String specHash() {
        return SpecHash.of(Map.of("method", method, "preset", preset == null ? "" : preset, "options", options,
                "teacher", teacher == null ? "" : teacher, "student", student, "schedule", schedule,
                "dataset", dataset, "seed", seed));
    }

    /**
     * A part of the cell as the JSON object a {@code result.json} carries ({@code options}, {@code teacher},
     * {@code student}): for example {@code Cell.json(cell.options())}.
     */
    public static Map<String, Object> json(Object part) {
        return SpecHash.toMap(part);
    }

    /** The teacher's hash (the runner's teacher cache key), or null without a teacher. */
    @JsonIgnore
    public String teacherHash() {
        return teacher == null ? null : teacher.specHash();
    }

    /**
     * A detector as built for one role.
     *
     * @param detector detector name
     * @param backbone backbone name
     * @param encoderStages encoder layers (0 for AdaMixer)
     * @param decoderStages decoder layers
     * @param queries object queries
     */
    public record ModelSpec(@JsonProperty("detector") String detector, @JsonProperty("backbone") String backbone,
            @JsonProperty("encoder_stages") int encoderStages, @JsonProperty("decoder_stages") int decoderStages,
            @JsonProperty("queries") int queries,
            @JsonProperty("backbone_weights") @JsonInclude(JsonInclude.Include.NON_NULL) FileRef backboneWeights) {

        /** A model with a randomly initialised backbone. */
        public ModelSpec(String detector, String backbone, int encoderStages, int decoderStages, int queries) {
            this(detector, backbone, encoderStages, decoderStages, queries, null);
        }

        /** This model starting from other backbone weights. */
        public ModelSpec withBackboneWeights(FileRef weights) {
            return new ModelSpec(detector, backbone, encoderStages, decoderStages, queries, weights);
        }
    }

    /**
     * A file a model starts from, as the suite names it, and its content's SHA-256 (filled in by the runner before
     * anything trains, so that it is part of every hash; null in listings).
     *
     * @param source a path (relative to the data root) or {@code builtin:NAME}
     * @param sha256 the SHA-256 (hex) of the file (for a teacher run folder: of its checkpoint's weights), or null
     */
    public record FileRef(@JsonProperty("source") String source,
            @JsonProperty("sha256") @JsonInclude(JsonInclude.Include.NON_NULL) String sha256) {
    }

    /**
     * The teacher: what is built, how it is trained, on which data and seed, or the existing teacher used instead of
     * training one (a scale's {@code teachers:}). Everything here is in {@link #specHash()}.
     *
     * @param model the detector
     * @param schedule its schedule at the cell's scale
     * @param dataset its training data
     * @param seed its seed
     * @param given the existing teacher (a {@code detrkd train} run folder or {@code builtin:NAME}, with the SHA-256
     *     of its weights) the runner evaluates and uses instead of training one, or null
     */
    public record TeacherSpec(@JsonProperty("model") ModelSpec model,
            @JsonProperty("schedule") TrainingSchedule schedule, @JsonProperty("dataset") DatasetSpec dataset,
            @JsonProperty("seed") long seed,
            @JsonProperty("given") @JsonInclude(JsonInclude.Include.NON_NULL) FileRef given) {

        /** A teacher the runner trains. */
        public TeacherSpec(ModelSpec model, TrainingSchedule schedule, DatasetSpec dataset, long seed) {
            this(model, schedule, dataset, seed, null);
        }

        /** This teacher with another model and given checkpoint. */
        public TeacherSpec with(ModelSpec newModel, FileRef newGiven) {
            return new TeacherSpec(newModel, schedule, dataset, seed, newGiven);
        }

        /** The teacher cache key. */
        @JsonIgnore
        public String specHash() {
            return SpecHash.of(this);
        }
    }

    /**
     * A schedule resolved for one scale.
     *
     * @param epochs epochs at this scale
     * @param paperEpochs the paper's epochs it stands for
     * @param batch images per step
     * @param image input size
     * @param optimizer {@code adamw}
     * @param lr base learning rate (as given; no batch-size rule is applied)
     * @param backboneLrFactor backbone multiplier
     * @param weightDecay decoupled weight decay
     * @param gradClip global gradient-norm clip (0: none)
     * @param lrDropEpochs 0-based epochs at whose start the rate drops ({@code floor(fraction * epochs)}, distinct)
     * @param lrDropFactor multiplier at each drop
     * @param warmupEpochs warm-up in epochs (the runner converts to steps)
     * @param warmupSteps warm-up in steps (wins over {@code warmupEpochs}), or null
     */
    public record TrainingSchedule(@JsonProperty("epochs") int epochs, @JsonProperty("paper_epochs") int paperEpochs,
            @JsonProperty("batch") int batch, @JsonProperty("image") ImageSpec image,
            @JsonProperty("optimizer") String optimizer, @JsonProperty("lr") double lr,
            @JsonProperty("backbone_lr_factor") double backboneLrFactor,
            @JsonProperty("weight_decay") double weightDecay, @JsonProperty("grad_clip") double gradClip,
            @JsonProperty("lr_drop_epochs") java.util.List<Integer> lrDropEpochs,
            @JsonProperty("lr_drop_factor") double lrDropFactor,
            @JsonProperty("warmup_epochs") double warmupEpochs,
            @JsonProperty("warmup_steps") @JsonInclude(JsonInclude.Include.NON_NULL) Long warmupSteps) {

        /** The warm-up in steps for {@code stepsPerEpoch} steps per epoch. */
        public long warmupSteps(long stepsPerEpoch) {
            return warmupSteps != null ? warmupSteps : Math.round(warmupEpochs * stepsPerEpoch);
        }
    }
}
