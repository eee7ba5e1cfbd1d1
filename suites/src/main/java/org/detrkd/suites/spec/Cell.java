package org.detrkd.suites.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
 */
@JsonPropertyOrder({"suite", "scale", "cell_id", "seed", "method", "preset", "options", "teacher", "student",
        "schedule", "dataset", "paper", "paper_value"})
public record Cell(@JsonProperty("suite") String suite, @JsonProperty("scale") Scale scale,
        @JsonProperty("cell_id") String cellId, @JsonProperty("seed") long seed,
        @JsonProperty("method") String method, @JsonProperty("preset") String preset,
        @JsonProperty("options") MethodOptions options, @JsonProperty("teacher") TeacherSpec teacher,
        @JsonProperty("student") ModelSpec student, @JsonProperty("schedule") TrainingSchedule schedule,
        @JsonProperty("dataset") DatasetSpec dataset, @JsonProperty("paper") PaperRef paper,
        @JsonProperty("paper_value") Map<String, Double> paperValue) {

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
            @JsonProperty("queries") int queries) {
    }

    /**
     * The teacher: what is built, how it is trained, on which data and seed. Everything here is in {@link #specHash()}.
     *
     * @param model the detector
     * @param schedule its schedule at the cell's scale
     * @param dataset its training data
     * @param seed its seed
     */
    public record TeacherSpec(@JsonProperty("model") ModelSpec model,
            @JsonProperty("schedule") TrainingSchedule schedule, @JsonProperty("dataset") DatasetSpec dataset,
            @JsonProperty("seed") long seed) {
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
     */
    public record TrainingSchedule(@JsonProperty("epochs") int epochs, @JsonProperty("paper_epochs") int paperEpochs,
            @JsonProperty("batch") int batch, @JsonProperty("image") ImageSpec image,
            @JsonProperty("optimizer") String optimizer, @JsonProperty("lr") double lr,
            @JsonProperty("backbone_lr_factor") double backboneLrFactor,
            @JsonProperty("weight_decay") double weightDecay, @JsonProperty("grad_clip") double gradClip,
            @JsonProperty("lr_drop_epochs") java.util.List<Integer> lrDropEpochs,
            @JsonProperty("lr_drop_factor") double lrDropFactor,
            @JsonProperty("warmup_epochs") double warmupEpochs) {
    }
}
