package org.detrkd.datasets.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.detrkd.datasets.boxes.BoxFormat;
import org.detrkd.datasets.coco.CocoFolder;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.djl.augment.Augmentation;
import org.detrkd.datasets.djl.augment.Sample;
import org.detrkd.datasets.io.InputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DJL dataset over one split of a COCO-format folder ({@link CocoFolder}), producing DETR training items.
 *
 * <p>Item {@code i} (the {@code i}-th entry of the {@code images} list):
 * <pre>
 * data   [0] image      [3, H, W] float32, (pixel / 255 - mean[c]) / std[c]   (H, W after augmentation)
 * labels [0] classes    [n]    int64  contiguous class indices ({@link CategoryIndex})
 *        [1] boxes      [n, 4] float32 normalised cx,cy,w,h relative to the (un-padded) W, H
 *        [2] image_id   []     int64  the COCO image id
 *        [3] orig_size  [2]    int64  (height, width) of the image on disk
 *        [4] size       [2]    int64  (H, W) after augmentation
 * </pre>
 * Targets follow DETR's {@code ConvertCocoPolysToMask}: crowd annotations are skipped, boxes are clipped to the
 * image and empty ones dropped, before the augmentation. The augmentation runs on host arrays with a generator
 * drawn from {@code (seed, epoch, index)} ({@link ItemRandom}); call {@link #setEpoch} at the start of each epoch.
 * Use a deterministic augmentation ({@link org.detrkd.datasets.djl.augment.Augmentations#evalResize} or none) for
 * evaluation.
 *
 * <p>With {@code optCacheImages(true)} decoded images are kept in memory as planar bytes (3 bytes per pixel), never
 * as NDArrays: every array is created on the manager passed to {@link #get}. {@code get} is thread-safe.
 * Batch with {@link DetectionBatchifier} (the builder's default for data and labels).
 */
public final class CocoDetectionDataset extends RandomAccessDataset {
    /** Index of the classes array in an item's labels. */
    public static final int LABEL_CLASSES = 0;
    /** Index of the boxes array in an item's labels. */
    public static final int LABEL_BOXES = 1;
    /** Index of the image id in an item's labels. */
    public static final int LABEL_IMAGE_ID = 2;
    /** Index of the original (height, width) in an item's labels. */
    public static final int LABEL_ORIG_SIZE = 3;
    /** Index of the augmented (height, width) in an item's labels. */
    public static final int LABEL_SIZE = 4;
    /** ImageNet channel means (RGB), DETR's default. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet channel standard deviations (RGB), DETR's default. */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private static final Logger LOG = LoggerFactory.getLogger(CocoDetectionDataset.class);

    private final CocoTargets targets;
    private final Path imageDir;
    private final float[] mean;
    private final float[] std;
    private final Augmentation augmentation;
    private final long seed;
    private final AtomicReferenceArray<ImageDecoder.Decoded> cache;
    private volatile int epoch;

    private CocoDetectionDataset(Builder builder, CocoTargets targets, Path imageDir) {
        super(builder);
        this.targets = targets;
        this.imageDir = imageDir;
        this.mean = builder.mean.clone();
        this.std = builder.std.clone();
        this.augmentation = builder.augmentation;
        this.seed = builder.seed;
        this.cache = builder.cacheImages ? new AtomicReferenceArray<>(targets.size()) : null;
        LOG.debug("COCO split {}: {} images, {} classes, cache {}", imageDir, targets.size(),
                targets.categories().size(), cache != null);
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Sets the epoch whose augmentations {@link #get} draws (reproducible and resumable runs). */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** The current epoch. */
    public int epoch() {
        return epoch;
    }

    /** The category map (class index to COCO category id and back). */
    public CategoryIndex categories() {
        return targets.categories();
    }

    /** The COCO image entry of item {@code index}: id, file name and original size, for post-processing. */
    public CocoImage imageInfo(long index) {
        return targets.image(Math.toIntExact(index));
    }

    /**
     * The host-side item before it becomes NDArrays: the augmented image on the 0..255 scale (not normalised) and
     * its boxes in absolute xyxy pixels with their class indices.
     */
    public Sample sample(long index) {
        int i = Math.toIntExact(index);
        Sample raw = new Sample(decoded(i).toHostImage(), targets.boxes(i).clone(), targets.classes(i).clone());
        return augmentation.apply(raw, ItemRandom.of(seed, epoch, index));
    }

    /** {@inheritDoc} All arrays are created on {@code manager}. */
    @Override
    public Record get(NDManager manager, long index) {
        Sample s = sample(index);
        CocoImage info = imageInfo(index);
        int w = s.image().width();
        int h = s.image().height();
        NDArray image = manager.create(FloatBuffer.wrap(normalise(s.image().pixels(), w * h)), new Shape(3, h, w));
        image.setName("image");
        double[] norm = BoxFormat.xyxyToCxcywhNorm(s.boxes(), w, h);
        long[] classes = new long[s.count()];
        for (int k = 0; k < classes.length; k++) {
            classes[k] = s.classes()[k];
        }
        NDList labels = new NDList(
                named(manager.create(classes, new Shape(classes.length)), "classes"),
                named(manager.create(BoxFormat.toFloat(norm), new Shape(classes.length, 4)), "boxes"),
                named(manager.create(info.id()), "image_id"),
                named(manager.create(new long[] {info.height(), info.width()}), "orig_size"),
                named(manager.create(new long[] {h, w}), "size"));
        return new Record(new NDList(image), labels);
    }

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    /** (v / 255 - mean) / std per channel, as one multiply-add per value. */
    private float[] normalise(float[] pixels, int plane) {
        float[] out = new float[pixels.length];
        for (int c = 0; c < 3; c++) {
            float scale = 1f / (255f * std[c]);
            float shift = -mean[c] / std[c];
            int base = c * plane;
            for (int k = base; k < base + plane; k++) {
                out[k] = pixels[k] * scale + shift;
            }
        }
        return out;
    }

    private ImageDecoder.Decoded decoded(int i) {
        if (cache != null) {
            ImageDecoder.Decoded hit = cache.get(i);
            if (hit != null) {
                return hit;
            }
        }
        CocoImage info = targets.image(i);
        Path file = imageDir.resolve(info.fileName());
        ImageDecoder.Decoded image = ImageDecoder.read(file);
        if (image.width() != info.width() || image.height() != info.height()) {
            throw new InputException(file, "", "decoded size " + image.width() + "x"
                    + image.height() + " differs from the annotation file's " + info.width() + "x" + info.height()
                    + " (image id " + info.id() + ")");
        }
        if (cache != null) {
            cache.set(i, image);
        }
        return image;
    }

    @Override
    protected long availableSize() {
        return targets.size();
    }

    /** Nothing to download: the annotation file is read by {@link Builder#build()}. */
    @Override
    public void prepare(Progress progress) {
        // already prepared
    }

    /** Builder in DJL style: {@code setRoot}, {@code setSplit} and {@code setSampling} are required. */
    public static final class Builder extends BaseBuilder<Builder> {
        private Path root;
        private String split;
        private float[] mean = IMAGENET_MEAN;
        private float[] std = IMAGENET_STD;
        private Augmentation augmentation = Augmentation.NONE;
        private long seed;
        private boolean cacheImages;

        Builder() {
            DetectionBatchifier batchifier = new DetectionBatchifier();
            dataBatchifier = batchifier;
            labelBatchifier = batchifier;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** The dataset folder ({@code DIR/annotations/instances_SPLIT.json}, images in {@code DIR/SPLIT/}). */
        public Builder setRoot(Path root) {
            this.root = root;
            return this;
        }

        /** The split name ({@code train}, {@code val}; {@code val2017} style names are found too). */
        public Builder setSplit(String split) {
            this.split = split;
            return this;
        }

        /** Per-channel (RGB) mean and standard deviation on the 0..1 scale; ImageNet's by default. */
        public Builder optNormalization(float[] mean, float[] std) {
            this.mean = mean.clone();
            this.std = std.clone();
            return this;
        }

        /** The host-side augmentation ({@link Augmentation#NONE} by default). */
        public Builder optAugmentation(Augmentation augmentation) {
            this.augmentation = augmentation;
            return this;
        }

        /** The seed of the per-item generators (0 by default). */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Keeps decoded images in memory (3 bytes per pixel): for the small generated datasets. */
        public Builder optCacheImages(boolean cacheImages) {
            this.cacheImages = cacheImages;
            return this;
        }

        /**
         * Reads the split's annotation file and builds the dataset.
         *
         * @throws IllegalArgumentException for a missing or impossible setting
         * @throws InputException for a missing folder or split, or a malformed file
         */
        public CocoDetectionDataset build() {
            if (root == null) {
                throw new IllegalArgumentException("setRoot(Path) is required");
            }
            if (split == null || split.isBlank()) {
                throw new IllegalArgumentException("setSplit(String) is required");
            }
            if (mean.length != 3 || std.length != 3) {
                throw new IllegalArgumentException("mean and std need 3 values (RGB)");
            }
            for (float s : std) {
                if (!(s > 0)) {
                    throw new IllegalArgumentException("std values must be positive, got " + s);
                }
            }
            if (augmentation == null) {
                throw new IllegalArgumentException("augmentation must not be null (use Augmentation.NONE)");
            }
            CocoFolder.Split found = CocoFolder.open(root).split(split);
            return new CocoDetectionDataset(this, CocoTargets.load(found.annotations()), found.images());
        }
    }
}
