package org.detrkd.baselines.fkd;

import ai.djl.ndarray.NDArray;

import org.detrkd.baselines.fitnet.FeatureAdapter;

/**
 * FKD written out with scalar loops in double precision from the formulas of the released code, reading the block's
 * parameter values; the reference the DJL implementation is compared with.
 */
public final class NaiveFkd {

    private NaiveFkd() {}

    public static double[][][][] tensor(NDArray a) {
        long[] s = a.getShape().getShape();
        float[] v = a.toFloatArray();
        double[][][][] x = new double[(int) s[0]][(int) s[1]][(int) s[2]][(int) s[3]];
        int k = 0;
        for (double[][][] b : x) {
            for (double[][] c : b) {
                for (double[] row : c) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = v[k++];
                    }
                }
            }
        }
        return x;
    }

    private static float[] values(FeatureAdapter a, String name) {
        return a.conv().getParameters().get(name).getArray().toFloatArray();
    }

    /** k x k convolution, padding k/2, weights [out, in, k, k]. */
    public static double[][][][] conv(double[][][][] x, FeatureAdapter a) {
        float[] w = values(a, "weight");
        float[] bias = values(a, "bias");
        int in = x[0].length;
        int out = bias.length;
        int k = (int) Math.round(Math.sqrt(w.length / (double) (out * in)));
        int pad = k / 2;
        int h = x[0][0].length;
        int wd = x[0][0][0].length;
        double[][][][] y = new double[x.length][out][h][wd];
        for (int b = 0; b < x.length; b++) {
            for (int o = 0; o < out; o++) {
                for (int r = 0; r < h; r++) {
                    for (int c = 0; c < wd; c++) {
                        double sum = bias[o];
                        for (int i = 0; i < in; i++) {
                            for (int dr = 0; dr < k; dr++) {
                                for (int dc = 0; dc < k; dc++) {
                                    int rr = r + dr - pad;
                                    int cc = c + dc - pad;
                                    if (rr >= 0 && rr < h && cc >= 0 && cc < wd) {
                                        sum += w[((o * in + i) * k + dr) * k + dc] * x[b][i][rr][cc];
                                    }
                                }
                            }
                        }
                        y[b][o][r][c] = sum;
                    }
                }
            }
        }
        return y;
    }

    static double[][][][] maxPool(double[][][][] x, int kernel) {
        int h = x[0][0].length;
        int w = x[0][0][0].length;
        int k = Math.min(kernel, Math.min(h, w));
        if (k <= 1) {
            return x;
        }
        double[][][][] y = new double[x.length][x[0].length][h / k][w / k];
        for (int b = 0; b < x.length; b++) {
            for (int c = 0; c < x[0].length; c++) {
                for (int r = 0; r < h / k; r++) {
                    for (int q = 0; q < w / k; q++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                m = Math.max(m, x[b][c][r * k + i][q * k + j]);
                            }
                        }
                        y[b][c][r][q] = m;
                    }
                }
            }
        }
        return y;
    }

    /** Training-mode BatchNorm: batch mean and biased variance per channel over B, H, W; eps 1e-5. */
    static double[][][][] batchNorm(double[][][][] x, float[] gamma, float[] beta) {
        int n = x.length * x[0][0].length * x[0][0][0].length;
        double[][][][] y = new double[x.length][x[0].length][x[0][0].length][x[0][0][0].length];
        for (int c = 0; c < x[0].length; c++) {
            double mean = 0;
            for (double[][][] b : x) {
                for (double[] row : b[c]) {
                    for (double v : row) {
                        mean += v / n;
                    }
                }
            }
            double var = 0;
            for (double[][][] b : x) {
                for (double[] row : b[c]) {
                    for (double v : row) {
                        var += (v - mean) * (v - mean) / n;
                    }
                }
            }
            for (int b = 0; b < x.length; b++) {
                for (int r = 0; r < x[0][0].length; r++) {
                    for (int q = 0; q < x[0][0][0].length; q++) {
                        y[b][c][r][q] = (x[b][c][r][q] - mean) / Math.sqrt(var + 1e-5) * gamma[c] + beta[c];
                    }
                }
            }
        }
        return y;
    }

    static double[][][][] nonLocal(double[][][][] x, NonLocalBlock blk, int[] pools) {
        double[][][][] g = conv(x, blk.conv("g"));
        double[][][][] phi = conv(x, blk.conv("phi"));
        for (int k : pools) {
            g = maxPool(g, k);
            phi = maxPool(phi, k);
        }
        double[][][][] theta = conv(x, blk.conv("theta"));
        int ci = theta[0].length;
        int h = x[0][0].length;
        int w = x[0][0][0].length;
        int pw = g[0][0][0].length;
        int m = g[0][0].length * pw;
        double[][][][] y = new double[x.length][ci][h][w];
        for (int b = 0; b < x.length; b++) {
            for (int p = 0; p < h * w; p++) {
                for (int j = 0; j < m; j++) {
                    double f = 0;
                    for (int c = 0; c < ci; c++) {
                        f += theta[b][c][p / w][p % w] * phi[b][c][j / pw][j % pw];
                    }
                    for (int c = 0; c < ci; c++) {
                        y[b][c][p / w][p % w] += f / m * g[b][c][j / pw][j % pw];
                    }
                }
            }
        }
        double[][][][] z = batchNorm(conv(y, blk.conv("W")), blk.bnWeight().getArray().toFloatArray(),
                blk.bnBias().getArray().toFloatArray());
        for (int b = 0; b < x.length; b++) {
            for (int c = 0; c < x[0].length; c++) {
                for (int r = 0; r < h; r++) {
                    for (int q = 0; q < w; q++) {
                        z[b][c][r][q] += x[b][c][r][q];
                    }
                }
            }
        }
        return z;
    }

    /** [b][h][w] = H W softmax(mean_c |x| / t). */
    static double[][][] spatialAttention(double[][][][] x, double t) {
        int h = x[0][0].length;
        int w = x[0][0][0].length;
        double[][][] a = new double[x.length][h][w];
        for (int b = 0; b < x.length; b++) {
            double z = 0;
            for (int r = 0; r < h; r++) {
                for (int q = 0; q < w; q++) {
                    double m = 0;
                    for (double[][] c : x[b]) {
                        m += Math.abs(c[r][q]) / x[b].length;
                    }
                    a[b][r][q] = Math.exp(m / t);
                    z += a[b][r][q];
                }
            }
            for (int r = 0; r < h; r++) {
                for (int q = 0; q < w; q++) {
                    a[b][r][q] *= h * w / z;
                }
            }
        }
        return a;
    }

    /** [b][c] = C softmax(mean_hw |x| / t). */
    static double[][] channelAttention(double[][][][] x, double t) {
        int cn = x[0].length;
        double[][] a = new double[x.length][cn];
        for (int b = 0; b < x.length; b++) {
            double z = 0;
            for (int c = 0; c < cn; c++) {
                double m = 0;
                for (double[] row : x[b][c]) {
                    for (double v : row) {
                        m += Math.abs(v) / (x[b][c].length * row.length);
                    }
                }
                a[b][c] = Math.exp(m / t);
                z += a[b][c];
            }
            for (int c = 0; c < cn; c++) {
                a[b][c] *= cn / z;
            }
        }
        return a;
    }

    static double dist(double[][][][] a, double[][][][] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            for (int c = 0; c < a[0].length; c++) {
                for (int r = 0; r < a[0][0].length; r++) {
                    for (int q = 0; q < a[0][0][0].length; q++) {
                        s += Math.pow(a[i][c][r][q] - b[i][c][r][q], 2);
                    }
                }
            }
        }
        return Math.sqrt(s);
    }

    /** @return {feat, channel, spatial, nonlocal} of one level */
    static double[] level(FkdLevel p, FkdSettings st, NonLocalSpec spec, double[][][][] s, double[][][][] t) {
        int bn = t.length;
        int ct = t[0].length;
        int h = t[0][0].length;
        int w = t[0][0][0].length;
        double r = st.studentMaskRatio();
        double[][][] sat = spatialAttention(t, st.spatialTemperature());
        double[][][] sas = spatialAttention(s, st.spatialTemperature());
        double[][] cat = channelAttention(t, st.channelTemperature());
        double[][] cas = st.useChannelMask() ? channelAttention(s, st.channelTemperature()) : null;
        double[][][][] adapted = conv(s, p.adaptation());
        double feat = 0;
        for (int b = 0; b < bn; b++) {
            for (int c = 0; c < ct; c++) {
                double cm = st.useChannelMask() ? (cat[b][c] + r * cas[b][c]) / (1 + r) : 1;
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double sm = (sat[b][i][j] + r * sas[b][i][j]) / (1 + r);
                        feat += Math.pow(t[b][c][i][j] - adapted[b][c][i][j], 2) * sm * cm;
                    }
                }
            }
        }
        // channel: || mean_hw(T) - Linear(mean_hw(S)) ||
        float[] lw = p.channelAdaptation().getParameters().get("weight").getArray().toFloatArray();
        float[] lb = p.channelAdaptation().getParameters().get("bias").getArray().toFloatArray();
        int cs = s[0].length;
        double channel = 0;
        for (int b = 0; b < bn; b++) {
            double[] sm = new double[cs];
            for (int c = 0; c < cs; c++) {
                for (double[] row : s[b][c]) {
                    for (double v : row) {
                        sm[c] += v / (h * w);
                    }
                }
            }
            for (int o = 0; o < ct; o++) {
                double y = lb[o];
                for (int c = 0; c < cs; c++) {
                    y += lw[o * cs + c] * sm[c];
                }
                double tm = 0;
                for (double[] row : t[b][o]) {
                    for (double v : row) {
                        tm += v / (h * w);
                    }
                }
                channel += (tm - y) * (tm - y);
            }
        }
        double spatial = dist(conv(channelMean(s), p.spatialAdaptation()), channelMean(t));
        double nonLocal = dist(conv(nonLocal(s, p.nonLocal(false), spec.pools()), p.nonLocalAdaptation()),
                nonLocal(t, p.nonLocal(true), spec.pools()));
        return new double[] {Math.sqrt(feat), Math.sqrt(channel), spatial, nonLocal};
    }

    static double[][][][] channelMean(double[][][][] x) {
        double[][][][] y = new double[x.length][1][x[0][0].length][x[0][0][0].length];
        for (int b = 0; b < x.length; b++) {
            for (double[][] c : x[b]) {
                for (int r = 0; r < c.length; r++) {
                    for (int q = 0; q < c[0].length; q++) {
                        y[b][0][r][q] += c[r][q] / x[b].length;
                    }
                }
            }
        }
        return y;
    }
}
