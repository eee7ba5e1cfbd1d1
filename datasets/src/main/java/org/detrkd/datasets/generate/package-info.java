/**
 * Deterministic generated detection benchmarks written as ordinary COCO-format folders ({@code detrkd data make}).
 *
 * <p>{@link org.detrkd.datasets.generate.ShapesGenerator} draws eight outline classes, and
 * {@link org.detrkd.datasets.generate.FashionGenerator} composites Fashion-MNIST items, both on textured
 * backgrounds with distractors, partial occlusion and a size law that covers COCO's small, medium and large area
 * ranges; every setting lives in {@link org.detrkd.datasets.generate.ShapesSpec}.
 * {@link org.detrkd.datasets.generate.DatasetMaker} writes the folder: one random stream per image from
 * {@code (seed, split, index)}, parallel drawing, byte-identical output for any thread count.
 */
package org.detrkd.datasets.generate;
