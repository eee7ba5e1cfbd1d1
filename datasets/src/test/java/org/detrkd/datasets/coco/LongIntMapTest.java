package org.detrkd.datasets.coco;

import static org.testng.Assert.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.testng.annotations.Test;

/** {@link LongIntMap} against {@link HashMap}, growing from the smallest table, with clustered and spread keys. */
public class LongIntMapTest {
    @Test
    public void agreesWithHashMap() {
        LongIntMap map = new LongIntMap(1);
        Map<Long, Integer> reference = new HashMap<>();
        Random random = new Random(11);
        for (int i = 0; i < 30000; i++) {
            long key = switch (i % 3) {
                case 0 -> random.nextInt(2000);
                case 1 -> random.nextLong();
                default -> (long) random.nextInt(64) << 32;
            };
            Integer old = reference.putIfAbsent(key, i);
            assertEquals(map.putIfAbsent(key, i), old == null ? LongIntMap.MISSING : old, "key " + key);
        }
        assertEquals(map.size(), reference.size());
        reference.forEach((k, v) -> assertEquals(map.get(k), (int) v));
        for (int i = 0; i < 1000; i++) {
            long absent = random.nextLong();
            assertEquals(map.get(absent), reference.getOrDefault(absent, LongIntMap.MISSING).intValue());
        }
    }
}
