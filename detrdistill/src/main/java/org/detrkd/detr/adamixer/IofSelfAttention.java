package org.detrkd.detr.adamixer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.detrkd.detr.transformer.Layers;
import org.detrkd.detr.util.Scalars;

/**
 * Self-attention between the queries of one image with AdaMixer's IoF bias: the logits of head h get
 * {@code alpha_h * log(IoF(i, j) + 1e-7)} added, where {@code IoF(i, j) = area(box_i and box_j) / area(box_i)}
 * (computed without gradient) and {@code alpha_h} is a learned per-head scale initialised uniformly in [0, 4]
 * (AdaMixer's {@code iof_tau}). Queries and keys are the content plus the sine embedding of (x, y, z, r); values are
 * the content. An optional boolean {@code [N, N]} mask (true = blocked) isolates query groups.
 */
public final class IofSelfAttention extends AbstractBlock {

    private final int dModel;
    private final int heads;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;
    private final Parameter iofScale;

    /**
     * @param dModel model width d
     * @param heads heads, dividing d
     */
    public IofSelfAttention(int dModel, int heads) {
        this.dModel = dModel;
        this.heads = heads;
        qProj = addChildBlock("q_proj", Linear.builder().setUnits(dModel).build());
        kProj = addChildBlock("k_proj", Linear.builder().setUnits(dModel).build());
        vProj = addChildBlock("v_proj", Linear.builder().setUnits(dModel).build());
        outProj = addChildBlock("out_proj", Linear.builder().setUnits(dModel).build());
        // [heads, 1, 1]: broadcasts against [B, 1, N, N] with the batch array first (no parameter reshape per step)
        iofScale = addParameter(Parameter.builder().setName("iof_tau").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(heads, 1, 1))
                .optInitializer((m, shape, type) -> m.randomUniform(0f, 4f, shape, type)).build());
    }

    /**
     * @param content {@code [B, N, d]}
     * @param pos {@code [B, N, d]} position embedding
     * @param corners {@code [B, N, 4]} boxes (x1, y1, x2, y2) for the IoF bias (detached here)
     * @param groupMask {@code [N, N]} boolean, true = may not attend; or null
     * @return {@code [B, N, d]}
     */
    public NDArray apply(ParameterStore ps, NDArray content, NDArray pos, NDArray corners, NDArray groupMask,
            boolean training) {
        Shape s = content.getShape();
        long b = s.get(0);
        long n = s.get(1);
        long dh = dModel / heads;
        NDArray withPos = content.add(pos);
        NDArray q = Layers.apply(qProj, ps, withPos, training).reshape(b, n, heads, dh).transpose(0, 2, 1, 3);
        NDArray k = Layers.apply(kProj, ps, withPos, training).reshape(b, n, heads, dh).transpose(0, 2, 3, 1);
        NDArray v = Layers.apply(vProj, ps, content, training).reshape(b, n, heads, dh).transpose(0, 2, 1, 3);
        NDArray logIof = Xyzr.iof(corners.stopGradient()).add(1e-7f).log().reshape(b, 1, n, n);
        NDArray bias = logIof.mul(ps.getValue(iofScale, content.getDevice(), training)); // [B, h, N, N]
        if (groupMask != null) {
            NDManager m = content.getManager();
            Shape ms = groupMask.getShape();
            bias = bias.add(NDArrays.where(groupMask, m.full(ms, Float.NEGATIVE_INFINITY), m.zeros(ms)));
        }
        NDArray scores = Scalars.mul(q, 1.0 / Math.sqrt(dh)).matMul(k).add(bias);
        NDArray out = scores.softmax(3).matMul(v).transpose(0, 2, 1, 3).reshape(b, n, dModel);
        return Layers.apply(outProj, ps, out, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        return new NDList(apply(ps, in.get(0), in.get(1), in.get(2), in.size() > 3 ? in.get(3) : null, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {in[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = new Shape(1, 1, dModel);
        for (Linear l : new Linear[] {qProj, kProj, vProj, outProj}) {
            l.initialize(manager, dataType, s);
        }
    }
}
