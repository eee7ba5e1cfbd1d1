package org.detrkd.datasets.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;

/**
 * Batches detection items of different image sizes and box counts (DETR's {@code collate_fn} and
 * {@code nested_tensor_from_tensor_list}). DJL calls a batchifier separately for data and labels; this one
 * recognises which it was given by the first array's rank (3: an image, otherwise targets), so one instance serves
 * as both.
 *
 * <p>Data, from items {@code {image [3, H_b, W_b]}}:
 * <pre>
 * [0] images [B, 3, H, W] float32, each image at the top-left, zero padding bottom/right (H, W = max over batch)
 * [1] mask   [B, H, W]    boolean, TRUE WHERE PADDING (DETR's convention: true = not a real pixel)
 * </pre>
 * Labels, from items {@code {classes [n_b], boxes [n_b, 4], extras...}} (see {@link CocoDetectionDataset}):
 * <pre>
 * [0] classes [B, N]    int64, padded with -1 (N = max n_b)
 * [1] boxes   [B, N, 4] float32, padded with 0
 * [2] counts  [B]       int64, n_b
 * [3..] the item's remaining arrays stacked: image_ids [B], orig_sizes [B, 2], sizes [B, 2]
 * </pre>
 * Box coordinates are not changed: they stay normalised by each image's un-padded size. The outputs are created on
 * the manager of the first item's first array.
 */
public final class DetectionBatchifier implements Batchifier {
    private static final long serialVersionUID = 1L;
    /** The class value of padding rows. */
    public static final long PAD_CLASS = -1;

    @Override
    public NDList batchify(NDList[] inputs) {
        if (inputs.length == 0) {
            throw new IllegalArgumentException("cannot batchify an empty list of items");
        }
        return inputs[0].head().getShape().dimension() == 3 ? batchImages(inputs) : batchTargets(inputs);
    }

    @Override
    public NDList[] unbatchify(NDList inputs) {
        return inputs.head().getShape().dimension() == 4 ? unbatchImages(inputs) : unbatchTargets(inputs);
    }

    private static NDList batchImages(NDList[] inputs) {
        int b = inputs.length;
        long maxH = 0;
        long maxW = 0;
        for (NDList item : inputs) {
            Shape s = item.head().getShape();
            maxH = Math.max(maxH, s.get(1));
            maxW = Math.max(maxW, s.get(2));
        }
        NDArray first = inputs[0].head();
        NDManager manager = first.getManager();
        boolean[] mask = new boolean[Math.toIntExact(b * maxH * maxW)];
        boolean same = true;
        for (int i = 0; i < b; i++) {
            Shape s = inputs[i].head().getShape();
            int h = (int) s.get(1);
            int w = (int) s.get(2);
            same &= h == maxH && w == maxW;
            for (int y = 0; y < maxH; y++) {
                int row = (int) ((i * maxH + y) * maxW);
                int from = y < h ? w : 0;
                java.util.Arrays.fill(mask, row + from, (int) (row + maxW), true);
            }
        }
        NDArray images;
        if (same) {
            NDList heads = new NDList(b);
            for (NDList item : inputs) {
                heads.add(item.head());
            }
            images = NDArrays.stack(heads);
        } else {
            images = manager.zeros(new Shape(b, 3, maxH, maxW), first.getDataType(), first.getDevice());
            for (int i = 0; i < b; i++) {
                Shape s = inputs[i].head().getShape();
                images.set(new NDIndex("{}, :, :{}, :{}", i, s.get(1), s.get(2)), inputs[i].head());
            }
        }
        images.setName("images");
        NDArray maskArray = manager.create(mask, new Shape(b, maxH, maxW)).toDevice(first.getDevice(), false);
        maskArray.setName("mask");
        return new NDList(images, maskArray);
    }

    private static NDList batchTargets(NDList[] inputs) {
        int b = inputs.length;
        int maxN = 0;
        for (NDList item : inputs) {
            maxN = Math.max(maxN, (int) item.get(0).getShape().get(0));
        }
        long[] classes = new long[b * maxN];
        java.util.Arrays.fill(classes, PAD_CLASS);
        float[] boxes = new float[b * maxN * 4];
        long[] counts = new long[b];
        for (int i = 0; i < b; i++) {
            long[] c = inputs[i].get(0).toLongArray();
            float[] x = inputs[i].get(1).toFloatArray();
            System.arraycopy(c, 0, classes, i * maxN, c.length);
            System.arraycopy(x, 0, boxes, i * maxN * 4, x.length);
            counts[i] = c.length;
        }
        NDArray first = inputs[0].head();
        NDManager manager = first.getManager();
        NDList out = new NDList(
                named(manager.create(classes, new Shape(b, maxN)), "classes"),
                named(manager.create(boxes, new Shape(b, maxN, 4)), "boxes"),
                named(manager.create(counts, new Shape(b)), "counts"));
        String[] plural = {"image_ids", "orig_sizes", "sizes"};
        for (int k = 2; k < inputs[0].size(); k++) {
            NDList column = new NDList(b);
            for (NDList item : inputs) {
                column.add(item.get(k));
            }
            NDArray stacked = NDArrays.stack(column);
            String name = inputs[0].get(k).getName();
            stacked.setName(k - 2 < plural.length ? plural[k - 2] : name);
            out.add(stacked);
        }
        return out.toDevice(first.getDevice(), false);
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    /** Splits {@code {images, mask}} back into un-padded images, sizes recovered from the mask. */
    private static NDList[] unbatchImages(NDList batch) {
        NDArray images = batch.get(0);
        Shape s = images.getShape();
        int b = (int) s.get(0);
        int maxH = (int) s.get(2);
        int maxW = (int) s.get(3);
        boolean[] mask = batch.size() > 1 ? batch.get(1).toBooleanArray() : new boolean[b * maxH * maxW];
        NDList[] out = new NDList[b];
        for (int i = 0; i < b; i++) {
            int h = 0;
            int w = 0;
            int base = i * maxH * maxW;
            while (h < maxH && !mask[base + h * maxW]) {
                h++;
            }
            while (w < maxW && !mask[base + w]) {
                w++;
            }
            out[i] = new NDList(images.get(new NDIndex("{}, :, :{}, :{}", i, h, w)));
        }
        return out;
    }

    /** Splits padded targets back into per-item lists, trimmed to their counts. */
    private static NDList[] unbatchTargets(NDList batch) {
        long[] counts = batch.get(2).toLongArray();
        NDList[] out = new NDList[counts.length];
        for (int i = 0; i < counts.length; i++) {
            NDList item = new NDList(
                    batch.get(0).get(new NDIndex("{}, :{}", i, counts[i])),
                    batch.get(1).get(new NDIndex("{}, :{}", i, counts[i])));
            for (int k = 3; k < batch.size(); k++) {
                item.add(batch.get(k).get(i));
            }
            out[i] = item;
        }
        return out;
    }
}
