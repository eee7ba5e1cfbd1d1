package org.detrkd.suites.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.detrkd.datasets.djl.CocoDetectionDataset;
import org.detrkd.detr.detrdistill.DetrDistill;
import org.detrkd.detr.detrdistill.FeatureDistillation;
import org.detrkd.detr.detrdistill.Instability;
import org.detrkd.detr.detrdistill.SelectionMaskImages;
import org.detrkd.detr.distill.DistillationMethod;
import org.detrkd.detr.model.Detector;
import org.detrkd.reports.model.ResultRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a finished cell's page shows besides AP and curves: the trained model's instability per pair of consecutive
 * decoder stages on {@code val} (DETRDistill Sec. 6, Fig. 7: {@link Instability}, summed over the split's images),
 * and, for a DETRDistill cell with feature distillation on, the teacher's selection masks drawn over the first
 * {@value #MASK_IMAGES} {@code val} images (Fig. 4 and 6: {@link SelectionMaskImages}), written into the cell's folder
 * as {@code masks/mask-IMAGEID.png}. A failure here is logged and leaves the fields empty; it never fails the cell.
 *
 * @param instability IS per stage transition (stage 1 to 2 first), or null
 * @param maskImages PNG paths relative to the cell's folder, or null
 */
public record CellAnalysis(List<Double> instability, List<String> maskImages) {
    private static final Logger LOG = LoggerFactory.getLogger(CellAnalysis.class);

    /** Validation images the selection masks are drawn on. */
    static final int MASK_IMAGES = 4;

    /** Nothing measured (a cell skipped or analysed elsewhere). */
    public static final CellAnalysis NONE = new CellAnalysis(null, null);

    /**
     * @param model the trained model of the cell (student, or the teacher of a {@code teacher} cell)
     * @param teacher the cell's frozen teacher, or null
     * @param method the cell's distillation method, or null
     * @param data the dataset folder (its {@code val} split is used)
     * @param batch images per forward
     * @param cellDir the cell's folder
     * @return the analysis (fields null where it failed or does not apply)
     */
    public static CellAnalysis of(Detector model, Detector teacher, DistillationMethod method, Path data, int batch,
            Path cellDir) {
        CocoDetectionDataset val;
        try {
            val = CocoDetectionDataset.builder().setRoot(data).setSplit("val").setSampling(batch, false).build();
        } catch (RuntimeException e) {
            LOG.warn("no analysis: cannot read the val split of {}: {}", data, e.toString());
            return NONE;
        }
        List<Double> instability = null;
        try {
            long start = System.nanoTime();
            instability = new ArrayList<>();
            for (long v : Instability.evaluate(model, val, batch)) {
                instability.add((double) v);
            }
            LOG.info("instability IS per stage transition on {} val images: {} ({} s)", val.size(), instability,
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        } catch (IOException | RuntimeException e) {
            LOG.warn("instability not measured: {}", e.toString());
            instability = null;
        }
        List<String> masks = null;
        Optional<FeatureDistillation> fd = method instanceof DetrDistill d ? d.featureDistillation() : Optional.empty();
        if (teacher != null && fd.isPresent()) {
            try {
                masks = new ArrayList<>();
                for (Path p : SelectionMaskImages.write(teacher, fd.get(), val, MASK_IMAGES,
                        cellDir.resolve("masks"))) {
                    masks.add(cellDir.relativize(p).toString().replace('\\', '/'));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("selection masks not drawn: {}", e.toString());
                masks = null;
            }
        }
        return new CellAnalysis(instability, masks);
    }

    /**
     * @param r a finished record
     * @return the record with this analysis in place of its own
     */
    public ResultRecord applyTo(ResultRecord r) {
        return new ResultRecord(r.schemaVersion(), r.suite(), r.scale(), r.cellId(), r.paper(), r.method(),
                r.preset(), r.options(), r.detector(), r.epochs(), r.teacher(), r.student(), r.seed(), r.status(),
                r.failure(), r.metrics(), r.history(), instability, maskImages, r.wallTimeSeconds(),
                r.stepsPerSecond(), r.peakMemoryBytes(), r.environment(), r.finishedAt());
    }
}
