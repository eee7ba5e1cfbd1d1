package org.detrkd.baselines.fkd;

import org.detrkd.detr.util.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import org.detrkd.baselines.fitnet.FeatureAdapter;

/**
 * The dot-product non-local block of FKD's relation loss (Wang et al. 2018, as the released {@code NonLocalBlockND}
 * with {@code sub_sample=True, bn_layer=True}) on {@code x [B, C, H, W]} with {@code Ci} inner channels:
 *
 * <pre>
 *   theta = conv_theta(x)                 [B, HW, Ci]
 *   phi   = pool(conv_phi(x))             [B, Ci, M]      (M cells after the max-pools)
 *   g     = pool(conv_g(x))               [B, M, Ci]
 *   y     = (theta phi / M) g             [B, Ci, H, W]
 *   z     = BN(conv_W(y)) + x             [B, C, H, W]
 * </pre>
 * All convolutions are 1x1 with bias. The BatchNorm (eps 1e-5, PyTorch momentum 0.1) starts with weight and bias 0,
 * so the block starts as the identity; it uses batch statistics in training and running statistics otherwise.
 */
public final class NonLocalBlock extends AbstractBlock {

    private static final float BN_EPS = 1e-5f;
    private static final float BN_MOMENTUM = 0.1f;

    private final int channels;
    private final int inner;
    private final int[] pools;
    private final FeatureAdapter g;
    private final FeatureAdapter theta;
    private final FeatureAdapter phi;
    private final FeatureAdapter w;
    private final Parameter bnWeight;
    private final Parameter bnBias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    /**
     * @param channels C
     * @param spec inner-channel reduction and pools
     */
    public NonLocalBlock(int channels, NonLocalSpec spec) {
        this.channels = channels;
        this.inner = Math.max(1, channels / spec.reduction());
        this.pools = spec.pools();
        g = addChildBlock("g", FeatureAdapter.conv1x1(channels, inner));
        theta = addChildBlock("theta", FeatureAdapter.conv1x1(channels, inner));
        phi = addChildBlock("phi", FeatureAdapter.conv1x1(channels, inner));
        w = addChildBlock("W", FeatureAdapter.conv1x1(inner, channels));
        bnWeight = addParameter(bnParameter("bn_weight", Parameter.Type.GAMMA, Initializer.ZEROS, true));
        bnBias = addParameter(bnParameter("bn_bias", Parameter.Type.BETA, Initializer.ZEROS, true));
        runningMean = addParameter(bnParameter("bn_running_mean", Parameter.Type.RUNNING_MEAN, Initializer.ZEROS,
                false));
        runningVar = addParameter(bnParameter("bn_running_var", Parameter.Type.RUNNING_VAR, Initializer.ONES, false));
    }

    private Parameter bnParameter(String name, Parameter.Type type, Initializer init, boolean trainable) {
        return Parameter.builder().setName(name).setType(type).optShape(new Shape(channels)).optInitializer(init)
                .optRequiresGrad(trainable).build();
    }

    /** @return inner channels Ci */
    public int innerChannels() {
        return inner;
    }

    /** @return a 1x1 convolution by name: {@code g}, {@code theta}, {@code phi}, {@code W} */
    public FeatureAdapter conv(String name) {
        switch (name) {
            case "g":
                return g;
            case "theta":
                return theta;
            case "phi":
                return phi;
            case "W":
                return w;
            default:
                throw new IllegalArgumentException("no convolution " + name);
        }
    }

    /** @return the BatchNorm weight (gamma, {@code [C]}) */
    public Parameter bnWeight() {
        return bnWeight;
    }

    /** @return the BatchNorm bias (beta, {@code [C]}) */
    public Parameter bnBias() {
        return bnBias;
    }

    private NDArray pool(NDArray x) {
        NDArray y = x;
        for (int k : pools) {
            int kk = (int) Math.min(k, Math.min(y.getShape().get(2), y.getShape().get(3)));
            if (kk > 1) {
                y = Pool.maxPool2d(y, new Shape(kk, kk), new Shape(kk, kk), new Shape(0, 0), false);
            }
        }
        return y;
    }

    /** @return {@code [B, C, H, W]}: {@code x} plus its non-local response */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        long b = x.getShape().get(0);
        long h = x.getShape().get(2);
        long wd = x.getShape().get(3);
        NDArray gx = pool(g.apply(ps, x, training)).reshape(b, inner, -1).transpose(0, 2, 1); // [B, M, Ci]
        NDArray thetaX = theta.apply(ps, x, training).reshape(b, inner, h * wd).transpose(0, 2, 1); // [B, HW, Ci]
        NDArray phiX = pool(phi.apply(ps, x, training)).reshape(b, inner, -1); // [B, Ci, M]
        NDArray f = thetaX.matMul(phiX);
        f = Scalars.div(f, f.getShape().get(2));
        NDArray y = f.matMul(gx).transpose(0, 2, 1).reshape(b, inner, h, wd);
        NDArray wy = w.apply(ps, y, training);
        var device = x.getDevice();
        NDArray bn = wy.getNDArrayInternal().batchNorm(wy, ps.getValue(runningMean, device, training),
                ps.getValue(runningVar, device, training), ps.getValue(bnWeight, device, training),
                ps.getValue(bnBias, device, training), 1, BN_MOMENTUM, BN_EPS, training).singletonOrThrow();
        return bn.add(x);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (FeatureAdapter a : new FeatureAdapter[] {g, theta, phi, w}) {
            a.initialize(manager, dataType);
        }
    }
}
