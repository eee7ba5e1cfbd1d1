package org.detrkd.datasets.coco;

/**
 * One entry of a COCO {@code images} list.
 *
 * @param id the image id, unique within a dataset
 * @param fileName path of the image file relative to the dataset's image folder
 * @param width image width in pixels
 * @param height image height in pixels
 */
public record CocoImage(long id, String fileName, int width, int height) {}
