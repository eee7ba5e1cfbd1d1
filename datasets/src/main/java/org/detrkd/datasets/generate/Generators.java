package org.detrkd.datasets.generate;

import java.nio.file.Path;
import java.util.List;
import org.detrkd.datasets.io.InputException;

/**
 * The generated benchmarks by name, in one explicit list: {@code shapes} (pure Java outlines) and
 * {@code fashion} (Fashion-MNIST items).
 */
public final class Generators {
    /** Known benchmark names. */
    public static final List<String> NAMES = List.of("shapes", "fashion");

    private Generators() {}

    /**
     * The generator called {@code name}.
     *
     * @param source folder with the Fashion-MNIST files, {@code null} for the Debian package's folder; only
     *     {@code fashion} reads it
     * @throws InputException for an unknown name, a {@code source} given to {@code shapes}, or missing files
     */
    public static SceneGenerator create(String name, ShapesSpec spec, Path source) {
        return switch (name) {
            case "shapes" -> {
                if (source != null) {
                    throw new InputException(source, "", "--source applies to 'fashion' only; 'shapes' reads no files");
                }
                yield new ShapesGenerator(spec);
            }
            case "fashion" -> new FashionGenerator(spec.validate(), FashionMnist.load(source));
            default -> throw new InputException((String) null, "", "unknown dataset '" + name + "'; known: "
                    + String.join(", ", NAMES), null);
        };
    }
}
