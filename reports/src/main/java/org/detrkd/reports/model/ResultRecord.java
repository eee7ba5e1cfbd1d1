package org.detrkd.reports.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * The result of one cell of a suite: the runner writes exactly one of these as {@code result.json} in the cell's
 * folder, and every report reads them back strictly ({@link ResultJson}).
 *
 * <p>A suite is one paper table; it expands into cells (method x detector x options x seed x epochs/stage variant).
 * {@link #paper()} maps the cell onto the paper's number. JSON keys are snake_case except the COCO metric names.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param suite suite id ({@code table1} ... {@code table7}, {@code clockdistill})
 * @param scale {@code paper}, {@code mini} or {@code smoke} (smoke numbers are not results)
 * @param cellId the cell id, unique within the suite for one seed
 * @param paper where the cell sits in the paper's table
 * @param method {@code student}, {@code teacher}, {@code detrdistill}, {@code fitnet}, {@code fgd}, {@code mgd},
 *     {@code fkd}, {@code fgfi}, {@code clockdistill}
 * @param preset {@code paper} or {@code released-code} for DETRDistill, null otherwise
 * @param options the method's resolved options (components LD/FD/AD, weights, ...), JSON values
 * @param detector {@code conditional-detr}, {@code deformable-detr} or {@code adamixer}
 * @param epochs the training schedule in epochs (cells with the same detector and epochs share a plain student)
 * @param teacher the resolved teacher spec (backbone, stages, queries, checkpoint, ...), null for methods without one
 * @param student the resolved student spec
 * @param seed the random seed
 * @param status finished or failed
 * @param failure why it failed; null when finished
 * @param metrics final COCO bbox metrics (0-1); null when failed
 * @param history per-epoch AP and loss terms, in epoch order (may be empty)
 * @param instability mean instability IS per decoder stage transition (paper Sec. 6), or null
 * @param maskImages selection-mask image paths, relative to the {@code result.json} folder, or null
 * @param wallTimeSeconds wall time of the cell
 * @param stepsPerSecond training steps per second
 * @param peakMemoryBytes peak memory (device or process), bytes
 * @param environment where it ran
 * @param finishedAt ISO-8601 instant the cell ended ({@code 2026-11-22T10:00:00Z}); the newest wins on duplicates
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = false)
public record ResultRecord(
        @JsonProperty(value = "schema_version", required = true) int schemaVersion,
        @JsonProperty(value = "suite", required = true) String suite,
        @JsonProperty(value = "scale", required = true) Scale scale,
        @JsonProperty(value = "cell_id", required = true) String cellId,
        @JsonProperty(value = "paper", required = true) PaperRef paper,
        @JsonProperty(value = "method", required = true) String method,
        @JsonProperty("preset") String preset,
        @JsonProperty(value = "options", required = true) Map<String, Object> options,
        @JsonProperty(value = "detector", required = true) String detector,
        @JsonProperty(value = "epochs", required = true) int epochs,
        @JsonProperty("teacher") Map<String, Object> teacher,
        @JsonProperty(value = "student", required = true) Map<String, Object> student,
        @JsonProperty(value = "seed", required = true) long seed,
        @JsonProperty(value = "status", required = true) Status status,
        @JsonProperty("failure") Failure failure,
        @JsonProperty("metrics") CocoMetrics metrics,
        @JsonProperty(value = "history", required = true) List<EpochRecord> history,
        @JsonProperty("instability") List<Double> instability,
        @JsonProperty("mask_images") List<String> maskImages,
        @JsonProperty(value = "wall_time_seconds", required = true) double wallTimeSeconds,
        @JsonProperty(value = "steps_per_second", required = true) double stepsPerSecond,
        @JsonProperty(value = "peak_memory_bytes", required = true) long peakMemoryBytes,
        @JsonProperty(value = "environment", required = true) Environment environment,
        @JsonProperty(value = "finished_at", required = true) String finishedAt) {

    /** The schema version this code reads and writes. */
    public static final int SCHEMA_VERSION = 1;

    /** Whether the cell finished with metrics. */
    public boolean finished() {
        return status == Status.FINISHED;
    }
}
