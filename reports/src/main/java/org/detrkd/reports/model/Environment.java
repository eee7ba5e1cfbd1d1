package org.detrkd.reports.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Where a cell ran: every number in a report carries it.
 *
 * @param gitCommit the detrkd git commit (with {@code -dirty} when the tree had changes)
 * @param detrkdVersion the detrkd version
 * @param djlVersion the DJL version
 * @param pytorchVersion the PyTorch native library version
 * @param devices device names ({@code cpu()}, {@code gpu(0) NVIDIA A100}, ...)
 * @param threads intra-op threads
 * @param javaVersion {@code java.version}
 * @param os {@code os.name os.version os.arch}
 */
public record Environment(
        @JsonProperty(value = "git_commit", required = true) String gitCommit,
        @JsonProperty(value = "detrkd_version", required = true) String detrkdVersion,
        @JsonProperty(value = "djl_version", required = true) String djlVersion,
        @JsonProperty(value = "pytorch_version", required = true) String pytorchVersion,
        @JsonProperty(value = "devices", required = true) List<String> devices,
        @JsonProperty(value = "threads", required = true) int threads,
        @JsonProperty(value = "java_version", required = true) String javaVersion,
        @JsonProperty(value = "os", required = true) String os) {
}
