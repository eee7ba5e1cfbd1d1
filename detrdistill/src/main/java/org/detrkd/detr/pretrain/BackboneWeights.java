package org.detrkd.detr.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;

import org.detrkd.datasets.io.InputException;
import org.detrkd.detr.adamixer.AdaMixer;
import org.detrkd.detr.backbone.ResNet;
import org.detrkd.detr.backbone.TorchvisionWeights;
import org.detrkd.detr.conditional.ConditionalDetr;
import org.detrkd.detr.deformable.DeformableDetr;
import org.detrkd.detr.model.Detector;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Saves and loads a {@link ResNet}'s weights as safetensors under torchvision's {@code state_dict} names ({@link
 * ResNet#torchvisionParameters()}, BatchNorm running statistics included), so a backbone pretrained by {@code detrkd
 * pretrain} enters a detector the same way torchvision's ImageNet weights do ({@link TorchvisionWeights}): every name
 * must be present with its shape, or nothing is copied.
 */
public final class BackboneWeights {

    private BackboneWeights() {}

    /**
     * Writes {@code net}'s parameters atomically (a temporary file moved into place).
     *
     * @param net an initialised network
     * @param file the safetensors file to write
     * @throws IOException if writing fails
     */
    public static void save(ResNet net, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".backbone-", ".safetensors");
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDList list = new NDList();
            for (Map.Entry<String, Parameter> e : net.torchvisionParameters().entrySet()) {
                NDArray a = e.getValue().getArray();
                NDArray copy = mgr.create(a.toFloatArray(), a.getShape()).toType(DataType.FLOAT32, false);
                copy.setName(e.getKey());
                list.add(copy);
            }
            try (OutputStream out = Files.newOutputStream(tmp)) {
                list.encode(out, NDList.Encoding.SAFETENSORS);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Loads a file written by {@link #save} into {@code net}.
     *
     * @param net an initialised network of the same preset
     * @param file the safetensors file
     * @param manager manager for the temporarily decoded arrays
     * @throws IOException if the file cannot be read
     * @throws InputException if the file does not fit the network (missing, unexpected or wrongly-shaped names)
     */
    public static void load(ResNet net, Path file, NDManager manager) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new InputException(file, "", "no such backbone weights file");
        }
        try {
            TorchvisionWeights.load(net, file, manager);
        } catch (IllegalArgumentException e) {
            throw new InputException(file.toString(), "", e.getMessage().replace(file + ": ", ""), e);
        }
    }

    /**
     * Loads backbone weights into a detector's backbone.
     *
     * @param model a Conditional DETR, Deformable DETR or AdaMixer
     * @param file the safetensors file
     * @param manager manager for the temporarily decoded arrays
     * @throws IOException if the file cannot be read
     */
    public static void load(Detector model, Path file, NDManager manager) throws IOException {
        load(backboneOf(model), file, manager);
    }

    /**
     * The SHA-256 of a weights file, recorded in a run's {@code spec.json} so that a run is tied to the exact
     * pretrained backbone it started from.
     *
     * @param file the file
     * @return the lowercase hex digest
     * @throws InputException if the file does not exist
     */
    public static String sha256(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new InputException(file, "", "no such backbone weights file");
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    /**
     * @param model a detector
     * @return its ResNet
     */
    public static ResNet backboneOf(Detector model) {
        if (model instanceof ConditionalDetr c) {
            return c.backbone();
        }
        if (model instanceof DeformableDetr d) {
            return d.backbone();
        }
        if (model instanceof AdaMixer a) {
            return a.backbone();
        }
        throw new IllegalArgumentException("no ResNet backbone known in " + model.getClass().getSimpleName());
    }
}
