package org.detrkd.datasets.coco;

/**
 * One entry of a COCO {@code categories} list. Ids need not be contiguous (COCO's are not).
 *
 * @param id the category id
 * @param name the class name
 * @param supercategory the COCO super-category, may be empty
 */
public record CocoCategory(long id, String name, String supercategory) {}
