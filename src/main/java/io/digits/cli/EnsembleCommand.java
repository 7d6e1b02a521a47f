package io.digits.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.digits.DigitsException;
import io.digits.export.EnsembleExporter;
import io.digits.export.MemberExport;
import io.digits.export.SavedModelExporter;
import io.digits.model.Architecture;
import io.digits.train.Ensemble;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code digits ensemble}: ensembles whose members were trained apart (see {@code train --member}). */
@Command(name = "ensemble", mixinStandardHelpOptions = true,
    description = "Ensembles of models trained apart, e.g. train --ensemble N --member I on several machines.",
    subcommands = {EnsembleCommand.Merge.class})
final class EnsembleCommand {

  /** {@code digits ensemble merge}: member exports into the one SavedModel that {@code train --ensemble} writes. */
  @Command(name = "merge", mixinStandardHelpOptions = true,
      description = "Build ONE SavedModel whose probabilities are the average of member exports of digits train"
          + " (same model), as train --ensemble N exports it.")
  static final class Merge implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "MEMBER_DIR",
        description = "Member exports (version folders or their base folders), e.g. saved_models/bn-cnn-member-1;"
            + " ordered by their member number where training.json records one.")
    List<Path> members;

    @Option(names = "--output", required = true,
        description = "Version folder to write, in TF Serving layout, e.g. saved_models/bn-cnn-ensemble/1.")
    Path output;

    @Option(names = "--tta", description = "Test-time augmentation in the merged graph, as train --tta.")
    boolean tta;

    @Option(names = "--overwrite", description = "Replace an existing version folder.")
    boolean overwrite;

    @picocli.CommandLine.Mixin
    ExportPrecisionOption exportPrecision;

    @Override
    public Integer call() throws IOException {
      ConvertCommand.requireVersionFolder(output, "bn-cnn-ensemble");
      List<MemberExport> read = new ArrayList<>();
      for (Path dir : members) {
        read.add(MemberExport.read(dir));
      }
      // members trained alone (number 0) keep their place after the numbered ones
      read.sort(Comparator.comparingInt(m -> m.memberNumber() == 0 ? Integer.MAX_VALUE : m.memberNumber()));
      Architecture architecture = read.get(0).architecture();
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      List<Map<String, Object>> infos = new ArrayList<>();
      for (int i = 0; i < read.size(); i++) {
        MemberExport m = read.get(i);
        if (m.architecture() != architecture) {
          throw new DigitsException(m.dir() + ": a " + m.architecture().cliName() + " model; the other members are "
              + architecture.cliName());
        }
        if (i > 0 && m.memberNumber() > 0 && m.memberNumber() == read.get(i - 1).memberNumber()) {
          throw new DigitsException(m.dir() + " and " + read.get(i - 1).dir() + " are both member "
              + m.memberNumber() + ": give each member once");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> info = json.treeToValue(m.member(), Map.class);
        Path history = m.dir().resolve(SavedModelExporter.EXTRAS).resolve("history.json");
        infos.add(EnsembleTraining.memberRecord(info, m.run(),
            Files.isRegularFile(history) ? json.readValue(history.toFile(), Map.class) : null));
      }
      EnsembleExporter.export(architecture, read.stream().map(MemberExport::weights).toList(), tta, output,
          Map.of(Ensemble.EXPORT_FILE, json.writeValueAsBytes(EnsembleTraining.ensembleInfo(architecture, tta, infos))),
          exportPrecision.value, overwrite);
      System.out.printf("Saved %s: an ensemble of %d %s members%s%n", output, read.size(), architecture.cliName(),
          tta ? " with test-time augmentation" : "");
      return 0;
    }
  }
}
