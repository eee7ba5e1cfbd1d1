package org.detrkd.detr.detrdistill;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.detrkd.datasets.djl.augment.HostImage;
import org.detrkd.datasets.djl.augment.Sample;
import org.testng.annotations.Test;

/** The selection-mask drawing: image, heat map at the map's cells, ground-truth boxes, at an integer scale. */
public class SelectionMaskImagesTest {

    @Test
    public void heatMapCoversTheCellsWithWeightAndLeavesTheOthersAlone() {
        float[] gray = new float[3 * 4 * 4];
        Arrays.fill(gray, 100f);
        Sample s = new Sample(new HostImage(4, 4, gray), new double[] {0, 0, 2, 2}, new int[] {0});
        // a 2 x 2 map over the 4 x 4 canvas: only the bottom-right cell has weight (the maximum)
        BufferedImage img = SelectionMaskImages.draw(s, new float[] {0, 0, 0, 1}, 2, 2, 4, 4);
        assertEquals(img.getWidth(), 12, "4 px at scale 3");
        assertEquals(img.getHeight(), 12);
        Color top = new Color(img.getRGB(3, 3));
        assertEquals(new int[] {top.getRed(), top.getGreen(), top.getBlue()}, new int[] {100, 100, 100},
                "a cell without weight shows the image");
        // the maximum: yellow (255, 255, 0) at alpha 210/255 over gray 100
        Color hot = new Color(img.getRGB(9, 9));
        int expectRg = Math.round(255 * 210 / 255f + 100 * 45 / 255f);
        int expectB = Math.round(100 * 45 / 255f);
        assertEquals(hot.getRed(), expectRg, 1);
        assertEquals(hot.getGreen(), expectRg, 1);
        assertEquals(hot.getBlue(), expectB, 1);
        Color edge = new Color(img.getRGB(3, 0));
        assertTrue(edge.getRed() > 200 && edge.getGreen() > 200 && edge.getBlue() > 200,
                "the box's top edge is white: " + edge);
    }

    @Test
    public void heatRunsFromTranslucentRedToOpaqueYellow() {
        assertEquals(SelectionMaskImages.heat(1f), new Color(255, 255, 0, 210));
        assertEquals(SelectionMaskImages.heat(0.5f), new Color(255, 128, 0, 125));
    }
}
