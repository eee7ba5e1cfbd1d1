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

    /**
     * An environment for this JVM: Java version and OS from the system properties, the rest from the caller (the
     * runner knows the git commit, the versions, the devices and the threads).
     */
    public static Environment ofThisJvm(String gitCommit, String detrkdVersion, String djlVersion,
            String pytorchVersion, List<String> devices, int threads) {
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        return new Environment(gitCommit, detrkdVersion, djlVersion, pytorchVersion, List.copyOf(devices), threads,
                System.getProperty("java.version"), os);
    }
}
