package org.detrkd.datasets.eval;

import java.util.Arrays;
import java.util.List;
import org.detrkd.datasets.coco.CocoAnnotation;
import org.detrkd.datasets.coco.CocoCategory;
import org.detrkd.datasets.coco.CocoDataset;
import org.detrkd.datasets.coco.CocoDetections;
import org.detrkd.datasets.coco.CocoImage;
import org.detrkd.datasets.io.InputException;

/**
 * Ground truth and detections laid out for evaluation: image and category ids sorted and de-duplicated (rule 1 of
 * {@code reference/coco-eval/README.md}), and both GT boxes and detections copied into primitive columns sorted by
 * (category, image, file order) with two stable counting sorts, so each category is one contiguous range and each
 * (category, image) block a contiguous run inside it. No maps of lists: lookups are binary searches on the sorted
 * id arrays.
 *
 * <p>Detections keep pycocotools' {@code loadRes} semantics: area {@code w * h}, never crowd. A detection on an image
 * that is not in the GT is an {@link InputException}; one with an undeclared category is dropped and counted.
 */
final class EvalIndex {
    final long[] imgIds;
    final long[] catIds;
    final String[] catNames;

    // GT columns, sorted by (category, image, file order); category k is [gCatStart[k], gCatStart[k + 1]).
    final int[] gImg;
    final double[] gX;
    final double[] gY;
    final double[] gW;
    final double[] gH;
    final double[] gArea;
    final boolean[] gCrowd;
    final long[] gId;
    final int[] gCatStart;

    // Detection columns, sorted by (category, image, file order); evaluation re-sorts each block by score.
    final int[] dImg;
    final double[] dX;
    final double[] dY;
    final double[] dW;
    final double[] dH;
    final double[] dScore;
    final int[] dCatStart;
    /** Detections whose category is not declared in the GT (dropped). */
    final int droppedDetections;

    EvalIndex(CocoDataset gt, String gtName, CocoDetections dt, String dtName) {
        imgIds = sortedUnique(gt.images().stream().mapToLong(CocoImage::id).toArray());
        List<CocoCategory> cats = gt.categories();
        catIds = sortedUnique(cats.stream().mapToLong(CocoCategory::id).toArray());
        catNames = new String[catIds.length];
        for (CocoCategory c : cats) {
            catNames[Arrays.binarySearch(catIds, c.id())] = c.name(); // a repeated id keeps its last name
        }
        checkUniqueAnnotationIds(gt.annotations(), gtName);

        // ground truth: keep annotations on listed images and declared categories
        List<CocoAnnotation> anns = gt.annotations();
        int[] img = new int[anns.size()];
        int[] cat = new int[anns.size()];
        int[] keep = new int[anns.size()];
        int n = 0;
        for (int i = 0; i < anns.size(); i++) {
            CocoAnnotation a = anns.get(i);
            int ii = Arrays.binarySearch(imgIds, a.imageId());
            int kk = Arrays.binarySearch(catIds, a.categoryId());
            if (ii >= 0 && kk >= 0) {
                img[n] = ii;
                cat[n] = kk;
                keep[n++] = i;
            }
        }
        gCatStart = new int[catIds.length + 1];
        int[] order = groupOrder(img, cat, n, imgIds.length, catIds.length, gCatStart);
        gImg = new int[n];
        gX = new double[n];
        gY = new double[n];
        gW = new double[n];
        gH = new double[n];
        gArea = new double[n];
        gCrowd = new boolean[n];
        gId = new long[n];
        for (int j = 0; j < n; j++) {
            int src = order[j];
            CocoAnnotation a = anns.get(keep[src]);
            gImg[j] = img[src];
            gX[j] = a.x();
            gY[j] = a.y();
            gW[j] = a.w();
            gH[j] = a.h();
            gArea[j] = a.area();
            gCrowd[j] = a.iscrowd();
            gId[j] = a.id();
        }

        // detections: unknown image is an error, undeclared category dropped
        int m = dt.size();
        int[] dimg = new int[m];
        int[] dcat = new int[m];
        int[] dkeep = new int[m];
        int kept = 0;
        for (int i = 0; i < m; i++) {
            int ii = Arrays.binarySearch(imgIds, dt.imageId(i));
            if (ii < 0) {
                throw new InputException(dtName, "/" + i, "image_id " + dt.imageId(i)
                        + " is not an image of the ground truth (" + imgIds.length + " images)", null);
            }
            int kk = Arrays.binarySearch(catIds, dt.categoryId(i));
            if (kk >= 0) {
                dimg[kept] = ii;
                dcat[kept] = kk;
                dkeep[kept++] = i;
            }
        }
        droppedDetections = m - kept;
        dCatStart = new int[catIds.length + 1];
        int[] dorder = groupOrder(dimg, dcat, kept, imgIds.length, catIds.length, dCatStart);
        dImg = new int[kept];
        dX = new double[kept];
        dY = new double[kept];
        dW = new double[kept];
        dH = new double[kept];
        dScore = new double[kept];
        for (int j = 0; j < kept; j++) {
            int src = dorder[j];
            int i = dkeep[src];
            dImg[j] = dimg[src];
            dX[j] = dt.x(i);
            dY[j] = dt.y(i);
            dW[j] = dt.w(i);
            dH[j] = dt.h(i);
            dScore[j] = dt.score(i);
        }
    }

    int numImages() {
        return imgIds.length;
    }

    int numCategories() {
        return catIds.length;
    }

    int numGt() {
        return gImg.length;
    }

    int numDetections() {
        return dImg.length;
    }

    static long[] sortedUnique(long[] ids) {
        long[] s = ids.clone();
        Arrays.sort(s);
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (n == 0 || s[i] != s[n - 1]) {
                s[n++] = s[i];
            }
        }
        return Arrays.copyOf(s, n);
    }

    /** pycocotools indexes annotations by id, so repeated ids silently corrupt its results: refuse them. */
    private static void checkUniqueAnnotationIds(List<CocoAnnotation> anns, String gtName) {
        long[] ids = new long[anns.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = anns.get(i).id();
        }
        Arrays.sort(ids);
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] == ids[i - 1]) {
                boolean seen = false;
                for (int j = 0; ; j++) {
                    if (anns.get(j).id() != ids[i]) {
                        continue;
                    }
                    if (!seen) {
                        seen = true;
                    } else {
                        throw new InputException(gtName, "/annotations/" + j + "/id", "annotation id " + ids[i]
                                + " is used more than once; evaluation needs unique annotation ids", null);
                    }
                }
            }
        }
    }

    /**
     * Order of the first {@code n} entries sorted by (category, image, position): two stable counting sorts
     * (least significant key first). Fills {@code catStart} with each category's first position.
     */
    static int[] groupOrder(int[] img, int[] cat, int n, int numImg, int numCat, int[] catStart) {
        int[] byImg = countingSort(img, null, n, numImg, null);
        return countingSort(cat, byImg, n, numCat, catStart);
    }

    private static int[] countingSort(int[] key, int[] input, int n, int buckets, int[] start) {
        int[] count = new int[buckets + 1];
        for (int i = 0; i < n; i++) {
            count[key[i] + 1]++;
        }
        for (int b = 0; b < buckets; b++) {
            count[b + 1] += count[b];
        }
        if (start != null) {
            System.arraycopy(count, 0, start, 0, buckets + 1);
        }
        int[] out = new int[n];
        for (int j = 0; j < n; j++) {
            int i = input == null ? j : input[j];
            out[count[key[i]]++] = i;
        }
        return out;
    }
}
