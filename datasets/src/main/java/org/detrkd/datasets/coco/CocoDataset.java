package org.detrkd.datasets.coco;

import java.util.List;

/**
 * A COCO instances file held in memory: images, categories and ground-truth annotations.
 *
 * <p>Lists are kept in file order; nothing is sorted or de-duplicated here (the validator reports duplicates,
 * the evaluator applies its own ordering rules).
 *
 * @param images the {@code images} list
 * @param categories the {@code categories} list
 * @param annotations the {@code annotations} list
 */
public record CocoDataset(List<CocoImage> images, List<CocoCategory> categories, List<CocoAnnotation> annotations) {
    public CocoDataset {
        images = List.copyOf(images);
        categories = List.copyOf(categories);
        annotations = List.copyOf(annotations);
    }
}
