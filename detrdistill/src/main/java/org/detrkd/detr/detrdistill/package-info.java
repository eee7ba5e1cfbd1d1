/**
 * DETRDistill (Chang et al., "DETRDistill: A Universal Knowledge Distillation Framework for DETR-families", ICCV
 * 2023): Hungarian-matching logits distillation ({@link org.detrkd.detr.detrdistill.LogitsDistillation}, Sec. 4.1),
 * target-aware feature distillation ({@link org.detrkd.detr.detrdistill.FeatureDistillation}, Sec. 4.2), query-prior
 * assignment distillation ({@link org.detrkd.detr.detrdistill.AssignmentDistillation}, Sec. 4.3), combined in
 * {@link org.detrkd.detr.detrdistill.DetrDistill} with the presets of
 * {@link org.detrkd.detr.detrdistill.DetrDistillSettings} ({@code paper}, {@code released-code}), and the instability
 * metric of Sec. 6 ({@link org.detrkd.detr.detrdistill.Instability}).
 */
package org.detrkd.detr.detrdistill;
