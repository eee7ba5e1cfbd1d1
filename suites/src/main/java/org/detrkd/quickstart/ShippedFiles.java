package org.detrkd.quickstart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.train.RunSpec;

/**
 * The files the quickstart starts from: the Conditional DETR mini teacher ({@value #TEACHER}, its weights as
 * {@code CheckpointStore.saveWeights} writes them), the teacher run's {@code spec.json} ({@value #TEACHER_SPEC}), the
 * pretrained mini-student backbone ({@value #STUDENT_BACKBONE}, from {@code detrkd pretrain --size student}) and
 * their checksums ({@value #SUMS}, {@code sha256sum} format). They ship as classpath resources under
 * {@value #RESOURCE_DIR}, or come from a folder with the same four names ({@code quickstart --shipped DIR}).
 *
 * <p>{@link #materialize} copies them into the output folder as a teacher run folder ({@code spec.json} +
 * {@code student.safetensors}, what {@code DistillRun} and {@code detrkd evaluate} read) and a backbone file, each
 * verified against its SHA-256 before use: a corrupt or swapped teacher would silently change every number.
 */
public final class ShippedFiles {
    /** Classpath folder of the shipped files. */
    public static final String RESOURCE_DIR = "/org/detrkd/quickstart/";
    /** The teacher's weights. */
    public static final String TEACHER = "teacher.safetensors";
    /** The teacher run's {@code spec.json}. */
    public static final String TEACHER_SPEC = "teacher-spec.json";
    /** The pretrained student backbone. */
    public static final String STUDENT_BACKBONE = "student-backbone.safetensors";
    /** The checksums, {@code sha256sum} format. */
    public static final String SUMS = "SHA256SUMS";
    /** The files {@link #SUMS} must list. */
    public static final List<String> FILES = List.of(TEACHER, TEACHER_SPEC, STUDENT_BACKBONE);

    /**
     * What {@link #materialize} wrote.
     *
     * @param teacherDir a teacher run folder ({@code spec.json}, {@code student.safetensors})
     * @param studentBackbone the student backbone file
     * @param teacherSha256 the teacher weights' SHA-256 (hex)
     * @param backboneSha256 the backbone's SHA-256 (hex)
     */
    public record Materialized(Path teacherDir, Path studentBackbone, String teacherSha256, String backboneSha256) {}

    private final Path folder;
    private final String origin;

    private ShippedFiles(Path folder, String origin) {
        this.folder = folder;
        this.origin = origin;
    }

    /** @return the files shipped in the jar */
    public static ShippedFiles fromClasspath() {
        return new ShippedFiles(null, "shipped in the jar, classpath:" + RESOURCE_DIR);
    }

    /** @param dir a folder holding the four files @return them */
    public static ShippedFiles fromFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InputException(dir, "", "no such folder (--shipped expects a folder with " + String.join(", ",
                    FILES) + " and " + SUMS + ")");
        }
        return new ShippedFiles(dir, "folder " + dir.toAbsolutePath().normalize());
    }

    /** @param name one of the file names @return where it comes from, for messages */
    private String where(String name) {
        return folder != null ? folder.resolve(name).toString() : "classpath:" + RESOURCE_DIR + name;
    }

    /** @return where the files come from, for messages */
    public String origin() {
        return origin;
    }

    /** @return whether all four files are present */
    public boolean available() {
        for (String name : List.of(TEACHER, TEACHER_SPEC, STUDENT_BACKBONE, SUMS)) {
            if (!exists(name)) {
                return false;
            }
        }
        return true;
    }

    /** @param name one of the file names @return whether it exists */
    public boolean exists(String name) {
        return folder != null ? Files.isRegularFile(folder.resolve(name))
                : ShippedFiles.class.getResource(RESOURCE_DIR + name) != null;
    }

    /**
     * @param name one of the file names
     * @return its content
     * @throws IOException if it cannot be read
     * @throws InputException if it is missing
     */
    public InputStream open(String name) throws IOException {
        if (folder != null) {
            if (!Files.isRegularFile(folder.resolve(name))) {
                throw new InputException(folder.resolve(name), "", "missing (" + origin + " must hold "
                        + String.join(", ", FILES) + " and " + SUMS + ")");
            }
            return Files.newInputStream(folder.resolve(name));
        }
        InputStream in = ShippedFiles.class.getResourceAsStream(RESOURCE_DIR + name);
        if (in == null) {
            throw new InputException(where(name), null, "not shipped in this build: use --train-teacher to "
                    + "train a teacher here, or --shipped DIR", null);
        }
        return in;
    }

    /**
     * @return file name to expected SHA-256 (lower-case hex), from {@link #SUMS}
     * @throws InputException if a line is malformed or a file is not listed
     */
    public Map<String, String> checksums() throws IOException {
        String text;
        try (InputStream in = open(SUMS)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> sums = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+\\*?", 2);
            if (parts.length != 2 || !parts[0].matches("[0-9a-fA-F]{64}")) {
                throw new InputException(where(SUMS), "line " + (i + 1), "expected '<64 hex digits>  <file name>'"
                        + " (sha256sum format), got '" + line + "'", null);
            }
            sums.put(Path.of(parts[1].strip()).getFileName().toString(), parts[0].toLowerCase(java.util.Locale.ROOT));
        }
        for (String f : FILES) {
            if (!sums.containsKey(f)) {
                throw new InputException(where(SUMS), null, "lists no checksum for " + f, null);
            }
        }
        return sums;
    }

    /**
     * Copies the files into {@code outDir} ({@code teacher/spec.json}, {@code teacher/student.safetensors},
     * {@code student-backbone.safetensors}), verifying each against {@link #SUMS}; a copy already there with the right
     * checksum is kept.
     *
     * @param outDir the quickstart's output folder
     * @return the paths
     * @throws InputException if a file is missing or its checksum differs
     */
    public Materialized materialize(Path outDir) throws IOException {
        Map<String, String> sums = checksums();
        Path teacherDir = outDir.resolve("teacher");
        Files.createDirectories(teacherDir);
        copyVerified(TEACHER, teacherDir.resolve("student.safetensors"), sums.get(TEACHER));
        copyVerified(TEACHER_SPEC, teacherDir.resolve(RunSpec.FILE), sums.get(TEACHER_SPEC));
        Path backbone = outDir.resolve(STUDENT_BACKBONE);
        copyVerified(STUDENT_BACKBONE, backbone, sums.get(STUDENT_BACKBONE));
        RunSpec.read(teacherDir.resolve(RunSpec.FILE)); // a readable teacher spec, or a one-line error now
        return new Materialized(teacherDir, backbone, sums.get(TEACHER), sums.get(STUDENT_BACKBONE));
    }

    private void copyVerified(String name, Path target, String expected) throws IOException {
        if (Files.isRegularFile(target) && sha256(target).equals(expected)) {
            return;
        }
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        String actual;
        try (InputStream in = open(name)) {
            actual = copyHashing(in, tmp);
        }
        if (!actual.equals(expected)) {
            Files.deleteIfExists(tmp);
            throw new InputException(where(name), null, "SHA-256 " + actual
                    + " does not match " + SUMS + " (" + expected + "): the file is corrupt or not the one listed",
                    null);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** @param file a file @return its SHA-256, lower-case hex */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return copyHashing(in, null);
        }
    }

    /** @param name one of the file names @return its SHA-256 as read from this source, lower-case hex */
    public String sha256Of(String name) throws IOException {
        try (InputStream in = open(name)) {
            return copyHashing(in, null);
        }
    }

    private static String copyHashing(InputStream in, Path target) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        try (DigestInputStream din = new DigestInputStream(in, md)) {
            if (target != null) {
                Files.copy(din, target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                din.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
