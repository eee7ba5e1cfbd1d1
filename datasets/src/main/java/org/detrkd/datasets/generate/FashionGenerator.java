package org.detrkd.datasets.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.detrkd.datasets.coco.CocoCategory;

/**
 * The {@code fashion} benchmark: real Fashion-MNIST items (10 classes) resized to the three-band size law of
 * {@link ShapesSpec} (the size applies to the item's tight box) and composited onto the same textured backgrounds
 * with distractors and occlusion as {@code shapes}. Train scenes draw from the 60,000 training items, val scenes
 * from the 10,000 test items, so no item appears in both splits. Each object picks its class uniformly, then an
 * item of that class.
 */
public final class FashionGenerator implements SceneGenerator {
    private final ShapesSpec spec;
    private final SceneLayout layout;
    private final FashionMnist items;

    public FashionGenerator(ShapesSpec spec, FashionMnist items) {
        this.spec = spec.validate();
        this.layout = new SceneLayout(spec, FashionMnist.CLASS_NAMES.size());
        this.items = items;
    }

    @Override
    public String name() {
        return "fashion";
    }

    @Override
    public ShapesSpec spec() {
        return spec;
    }

    @Override
    public List<CocoCategory> categories() {
        List<CocoCategory> out = new ArrayList<>();
        for (int c = 0; c < FashionMnist.CLASS_NAMES.size(); c++) {
            out.add(new CocoCategory(c + 1, FashionMnist.CLASS_NAMES.get(c), "fashion"));
        }
        return out;
    }

    @Override
    public Map<String, Object> source() {
        return items.source();
    }

    @Override
    public List<GeneratedBox> render(Canvas canvas, String split, SplittableRandom r) {
        FashionMnist.Items pool = split.equals("train") ? items.train() : items.test();
        return Scenes.render(canvas, r, layout, (rng, cls, side, l) -> sample(rng, cls, side, l, pool, canvas));
    }

    private static SceneObject sample(SplittableRandom r, int cls, double side, SceneLayout layout,
                                      FashionMnist.Items pool, Canvas canvas) {
        int[] members = pool.byClass()[cls];
        int offset = pool.offset(members[r.nextInt(members.length)]);
        int n = FashionMnist.SIDE;
        int[] box = ItemRaster.sourceBox(pool.pixels(), offset, n);
        double scale = side / Math.sqrt((double) (box[2] - box[0]) * (box[3] - box[1]));
        int size = Math.max(3, (int) Math.round(n * scale));
        ItemRaster raster = ItemRaster.resize(pool.pixels(), offset, n, size);
        double[] corner = layout.topLeft(r, raster.x1() - raster.x0(), raster.y1() - raster.y0());
        int left = (int) Math.round(corner[0]) - raster.x0();
        int top = (int) Math.round(corner[1]) - raster.y0();
        return new FashionObject(cls + 1, raster, left, top, canvas.width(), canvas.height());
    }
}
