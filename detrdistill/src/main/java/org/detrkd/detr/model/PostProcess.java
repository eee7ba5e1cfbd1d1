package org.detrkd.detr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Conditional/Deformable DETR's {@code PostProcess}: per image, the top {@code k} (query, class) pairs by sigmoid
 * score over all {@code Q x K} pairs (a query may appear with several classes), with boxes converted from normalised
 * (cx, cy, w, h) to absolute (x1, y1, x2, y2) pixels of the original image.
 *
 * <p>Computed on the host in double precision from the final-stage tensors; ties are broken by the lower flat index
 * {@code q * K + c}, so results are deterministic. Labels are contiguous class indices {@code 0 .. K-1}: the caller maps
 * them to dataset category ids.
 */
public final class PostProcess {

    /** Detections of one image, best first. */
    public record Detections(float[] scores, int[] labels, float[][] boxesXyxy, int[] queries) {

        /** @return the number of detections */
        public int size() {
            return scores.length;
        }

        /** @return box {@code i} as COCO (x, y, width, height) in pixels */
        public float[] cocoXywh(int i) {
            float[] b = boxesXyxy[i];
            return new float[] {b[0], b[1], b[2] - b[0], b[3] - b[1]};
        }
    }

    private final int topK;

    /** @param topK detections kept per image (100 in DETR-family evaluation) */
    public PostProcess(int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        this.topK = topK;
    }

    /** @return DETR's setting, 100 detections per image */
    public static PostProcess top100() {
        return new PostProcess(100);
    }

    /**
     * @param logits {@code [B, Q, K]} final-stage class logits
     * @param boxes {@code [B, Q, 4]} normalised cx, cy, w, h
     * @param imageSizes per image {@code {height, width}} of the original image in pixels
     * @return per image, {@code min(topK, Q * K)} detections sorted by decreasing score
     */
    public List<Detections> apply(NDArray logits, NDArray boxes, int[][] imageSizes) {
        Shape s = logits.getShape();
        int b = (int) s.get(0);
        int q = (int) s.get(1);
        int k = (int) s.get(2);
        if (imageSizes.length != b || !boxes.getShape().equals(new Shape(b, q, 4))) {
            throw new IllegalArgumentException("PostProcess: logits " + s + ", boxes " + boxes.getShape() + ", "
                    + imageSizes.length + " image sizes");
        }
        float[] l = logits.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] bx = boxes.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        List<Detections> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            out.add(image(l, bx, i, q, k, imageSizes[i][0], imageSizes[i][1]));
        }
        return out;
    }

    private Detections image(float[] logits, float[] boxes, int img, int q, int k, int height, int width) {
        int n = q * k;
        int base = img * n;
        Integer[] order = new Integer[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
        }
        // descending logit = descending sigmoid; stable sort keeps lower indices first among ties
        Arrays.sort(order, (x, y) -> Float.compare(logits[base + y], logits[base + x]));
        int m = Math.min(topK, n);
        float[] scores = new float[m];
        int[] labels = new int[m];
        int[] queries = new int[m];
        float[][] xyxy = new float[m][];
        for (int r = 0; r < m; r++) {
            int j = order[r];
            scores[r] = (float) (1 / (1 + Math.exp(-logits[base + j])));
            labels[r] = j % k;
            queries[r] = j / k;
            xyxy[r] = toXyxy(boxes, (img * q + queries[r]) * 4, height, width);
        }
        return new Detections(scores, labels, xyxy, queries);
    }

    private static float[] toXyxy(float[] b, int o, int height, int width) {
        double cx = b[o];
        double cy = b[o + 1];
        double w = b[o + 2];
        double h = b[o + 3];
        return new float[] {(float) ((cx - 0.5 * w) * width), (float) ((cy - 0.5 * h) * height),
            (float) ((cx + 0.5 * w) * width), (float) ((cy + 0.5 * h) * height)};
    }
}
