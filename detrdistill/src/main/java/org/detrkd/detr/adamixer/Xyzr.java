package org.detrkd.detr.adamixer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.detrkd.detr.util.Scalars;

/**
 * AdaMixer's query position {@code (x, y, z, r)}: box centre (x, y) in pixels of the (padded) input tensor,
 * {@code z = log2 sqrt(w h)} with w, h in pixels (the scale, compared with {@code log2 stride} to pick feature levels)
 * and {@code r = log2(h / w)} (the aspect). Conversions to and from normalised (cx, cy, w, h) of the unpadded image,
 * the stage refinement and AdaMixer's sine position embedding. All results are on the first batch operand's manager;
 * the Java-number arithmetic that autograd keeps goes through {@link Scalars}.
 */
public final class Xyzr {

    private static final double LN2 = Math.log(2);

    private Xyzr() {}

    /**
     * @param boxes {@code [B, N, 4]} normalised (cx, cy, w, h) of the unpadded image
     * @param validWh {@code [B, 1, 2]} unpadded width and height in pixels
     * @return {@code [B, N, 4]} (x, y, z, r)
     */
    public static NDArray fromBoxes(NDArray boxes, NDArray validWh) {
        NDArray xy = boxes.get("..., :2").mul(validWh);
        NDArray logWh = boxes.get("..., 2:").mul(validWh).clip(1e-3f, Float.MAX_VALUE).log(); // ln w, ln h
        NDArray lnW = logWh.get("..., :1");
        NDArray lnH = logWh.get("..., 1:");
        NDArray z = Scalars.mul(lnW.add(lnH), 0.5 / LN2);
        NDArray r = Scalars.mul(lnH.sub(lnW), 1 / LN2);
        return NDArrays.concat(new NDList(xy, z, r), xy.getShape().dimension() - 1);
    }

    /**
     * @param xyzr {@code [..., B, N, 4]}
     * @param validWh {@code [B, 1, 2]} unpadded width and height in pixels
     * @return {@code [..., B, N, 4]} normalised (cx, cy, w, h)
     */
    public static NDArray toBoxes(NDArray xyzr, NDArray validWh) {
        NDArray wh = pixelSizes(xyzr);
        NDArray scale = validWh.concat(validWh, 2); // [B, 1, 4]
        return xyzr.get("..., :2").concat(wh, xyzr.getShape().dimension() - 1).div(scale);
    }

    /** @return {@code [..., 2]} (w, h) in pixels: {@code 2^(z -+ r / 2)} */
    public static NDArray pixelSizes(NDArray xyzr) {
        NDArray z = xyzr.get("..., 2:3");
        NDArray halfR = Scalars.mul(xyzr.get("..., 3:4"), 0.5);
        NDArray lnW = z.sub(halfR);
        NDArray lnH = z.add(halfR);
        return Scalars.mul(lnW.concat(lnH, xyzr.getShape().dimension() - 1), LN2).exp();
    }

    /**
     * AdaMixer's {@code refine_xyzr}: the centre moves by {@code delta_xy * 2^z} (in units of the box scale), z and r
     * by {@code delta_zr}.
     *
     * @param xyzr {@code [B, N, 4]}
     * @param delta {@code [B, N, 4]}
     * @return {@code [B, N, 4]}
     */
    public static NDArray refine(NDArray xyzr, NDArray delta) {
        int last = xyzr.getShape().dimension() - 1;
        NDArray scale = Scalars.mul(xyzr.get("..., 2:3"), LN2).exp();
        NDArray xy = xyzr.get("..., :2").add(delta.get("..., :2").mul(scale));
        NDArray zr = xyzr.get("..., 2:").add(delta.get("..., 2:"));
        return xy.concat(zr, last);
    }

    /**
     * @param xyzr {@code [B, N, 4]}
     * @return {@code [B, N, 4]} (x1, y1, x2, y2) in pixels
     */
    public static NDArray toCorners(NDArray xyzr) {
        NDArray half = Scalars.mul(pixelSizes(xyzr), 0.5);
        NDArray xy = xyzr.get("..., :2");
        return xy.sub(half).concat(xy.add(half), 2);
    }

    /**
     * Intersection over foreground (mmdet {@code bbox_overlaps(mode='iof')}): {@code area(i and j) / area(i)}.
     *
     * @param corners {@code [B, N, 4]} (x1, y1, x2, y2)
     * @return {@code [B, N, N]} row i = foreground box i
     */
    public static NDArray iof(NDArray corners) {
        Shape s = corners.getShape();
        long b = s.get(0);
        long n = s.get(1);
        NDArray a = corners.reshape(b, n, 1, 4);
        NDArray c = corners.reshape(b, 1, n, 4);
        NDArray lt = a.get("..., :2").maximum(c.get("..., :2"));
        NDArray rb = a.get("..., 2:").minimum(c.get("..., 2:"));
        NDArray wh = rb.sub(lt).clip(0f, Float.MAX_VALUE);
        NDArray inter = wh.get("..., 0").mul(wh.get("..., 1")); // [B, N, N]
        NDArray size = corners.get("..., 2:").sub(corners.get("..., :2")).clip(0f, Float.MAX_VALUE);
        NDArray area = size.get("..., 0").mul(size.get("..., 1")).reshape(b, n, 1).add(1e-6f);
        return inter.div(area);
    }

    /**
     * AdaMixer's {@code position_embedding}: each of (x / W, y / H, z, r) through {@code d / 4} sines and cosines of
     * frequencies {@code 10000^(-2i / (d / 4))}. AdaMixer divides x and y by 1000 pixels (about the COCO image size);
     * here by the input size, so the embedding does not depend on the image resolution.
     *
     * @param xyzr {@code [B, N, 4]} (detached: the embedding is computed without gradient, as AdaMixer)
     * @param width input width W in pixels
     * @param height input height H in pixels
     * @param d model width, divisible by 8
     * @return {@code [B, N, d]}
     */
    public static NDArray positionEmbedding(NDArray xyzr, int width, int height, int d) {
        Shape s = xyzr.getShape();
        NDManager m = xyzr.getManager();
        int perCoord = d / 4;
        int half = perCoord / 2;
        float[] inv = new float[4 * half];
        float[] norm = {1f / width, 1f / height, 1f, 1f};
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < half; i++) {
                inv[c * half + i] = (float) (norm[c] / Math.pow(10000, 2.0 * i / perCoord));
            }
        }
        NDArray scaled = xyzr.stopGradient().reshape(s.get(0), s.get(1), 4, 1)
                .mul(Scalars.array(m, inv, new Shape(4, half), xyzr.getDataType())); // [B, N, 4, half]
        return scaled.sin().concat(scaled.cos(), 3).reshape(s.get(0), s.get(1), d).stopGradient();
    }

    /**
     * AdaMixer's {@code translate_to_linear_weight}: the weight of level l for a point at scale z is
     * {@code softmax_l(-(z - log2 stride_l)^2 / tau)}.
     *
     * @param z {@code [...]} point scales (log2 pixels)
     * @param strides the level strides
     * @param tau the temperature (2 in AdaMixer)
     * @return {@code [..., L]}
     */
    public static NDArray levelWeights(NDArray z, int[] strides, double tau) {
        float[] log = new float[strides.length];
        for (int l = 0; l < strides.length; l++) {
            log[l] = (float) (Math.log(strides[l]) / LN2);
        }
        NDArray grid = Scalars.array(z.getManager(), log, new Shape(log.length), z.getDataType());
        NDArray diff = z.expandDims(z.getShape().dimension()).sub(grid);
        return Scalars.mul(diff.square(), -1.0 / tau).softmax(diff.getShape().dimension() - 1);
    }
}
