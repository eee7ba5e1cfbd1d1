package org.detrkd.detr.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Imports torchvision ResNet weights by name into an initialised {@link ResNet}.
 *
 * <p>The source is an {@link NDList} of named arrays, e.g. decoded from a safetensors file written in Python with
 * {@code safetensors.torch.save_file(resnet.state_dict(), path)}. Every parameter of the network must be present with
 * its exact shape; names the network does not have are errors too, except the classifier ({@code fc.weight}, {@code
 * fc.bias}) and BatchNorm's {@code num_batches_tracked} counters, which are ignored. A mismatch fails before anything
 * is copied, with the complete lists of missing, unexpected and wrongly-shaped names.
 */
public final class TorchvisionWeights {

    private static final Logger LOG = LoggerFactory.getLogger(TorchvisionWeights.class);

    private TorchvisionWeights() {}

    /**
     * Reads a safetensors file and copies it into {@code net}.
     *
     * @param net an initialised network
     * @param file a safetensors file with torchvision names
     * @param manager manager for the temporarily decoded arrays (closed before returning)
     * @throws IOException if the file cannot be read
     */
    public static void load(ResNet net, Path file, NDManager manager) throws IOException {
        try (NDManager tmp = manager.newSubManager(); InputStream in = Files.newInputStream(file)) {
            NDList arrays = NDList.decode(tmp, in);
            try {
                load(net, arrays);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Copies named arrays into {@code net}'s parameters (values are copied; the source arrays stay owned by the
     * caller).
     *
     * @param net an initialised network
     * @param named arrays named as torchvision's {@code state_dict}
     * @throws IllegalArgumentException listing missing, unexpected and wrongly-shaped names
     */
    public static void load(ResNet net, NDList named) {
        Map<String, Parameter> targets = net.torchvisionParameters();
        Map<String, NDArray> sources = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        for (NDArray a : named) {
            String name = a.getName();
            if (isIgnored(name)) {
                continue;
            }
            if (targets.containsKey(name)) {
                sources.put(name, a);
            } else {
                unexpected.add(name);
            }
        }
        TreeSet<String> missing = new TreeSet<>(targets.keySet());
        missing.removeAll(sources.keySet());
        List<String> badShape = new ArrayList<>();
        sources.forEach((name, a) -> {
            if (!a.getShape().equals(targets.get(name).getArray().getShape())) {
                badShape.add(name + " " + a.getShape() + " (expected " + targets.get(name).getArray().getShape() + ")");
            }
        });
        if (!missing.isEmpty() || !unexpected.isEmpty() || !badShape.isEmpty()) {
            throw new IllegalArgumentException("torchvision weights do not fit " + net.spec().name() + ": missing "
                    + missing + ", unexpected " + new TreeSet<>(unexpected) + ", wrong shape " + badShape);
        }
        sources.forEach((name, a) -> copyInto(targets.get(name), a));
        LOG.info("imported {} torchvision arrays into {}", sources.size(), net.spec().name());
    }

    /** @return true for names torchvision has but the backbone does not use */
    static boolean isIgnored(String name) {
        return name.equals("fc.weight") || name.equals("fc.bias") || name.endsWith(".num_batches_tracked")
                || name.equals("num_batches_tracked");
    }

    private static void copyInto(Parameter target, NDArray source) {
        NDArray dst = target.getArray();
        boolean grad = dst.hasGradient();
        dst.setRequiresGradient(false); // an in-place write into a leaf that requires grad is refused
        dst.set(new NDIndex(":"), source.toType(dst.getDataType(), false).toDevice(dst.getDevice(), false));
        if (grad) {
            dst.setRequiresGradient(true);
        }
    }
}
