package io.digits.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.DigitsException;
import io.digits.train.Adam;
import io.digits.train.GradientClipping;
import io.digits.train.LearningRateSchedule;
import io.digits.train.Loss;
import io.digits.train.Nadam;
import io.digits.train.Optimizer.BaseOptions;
import io.digits.train.RmsProp;
import io.digits.train.Sgd;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import io.digits.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compile settings read from files Keras wrote (scripts/make_compile_fixtures.py): Keras 3 .keras
 * and .h5, tf-keras .h5; and refusals, each naming the setting and where it is.
 */
class CompileSettingsTest {

  private static CompileSettings read(String name) {
    try {
      return CompileSettings.read(KerasFile.read(Path.of(
          CompileSettingsTest.class.getResource("/compile/" + name).toURI())));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void sgdWithNesterovMomentumAndAStaircaseExponentialDecay() {
    CompileSettings s = read("sgd_nesterov_exponential.keras");
    assertEquals(new Sgd(0.1f, 0.9, true, BaseOptions.NONE), s.optimizer());
    assertEquals(new LearningRateSchedule.ExponentialDecay(0.1, 100, 0.9, true), s.schedule());
    assertEquals(new Loss(Loss.Kind.SPARSE_CATEGORICAL, false, 0), s.loss());
    assertEquals(List.of("accuracy"), s.metrics());
  }

  @Test
  void adamWithClipnormAndASmoothedLossFromLogits() {
    CompileSettings s = read("adam_clipnorm_smoothing.keras");
    assertEquals(new Adam(0.002f, 0.9, 0.99, 1e-7, false,
        new BaseOptions(0, new GradientClipping.ByNorm(1.0)), false), s.optimizer());
    assertEquals(0.002f, s.schedule().rate(1000));
    assertEquals(new Loss(Loss.Kind.CATEGORICAL, true, 0.1), s.loss());
    assertEquals(List.of("accuracy"), s.metrics(), "CategoricalAccuracy()");
  }

  @Test
  void adamWWithAWarmedUpCosineDecayAndAGlobalClipnorm() {
    CompileSettings s = read("adamw_cosine_warmup.keras");
    assertEquals(new Adam(0.001f, 0.9, 0.999, 1e-7, true,
        new BaseOptions(0.01, new GradientClipping.ByGlobalNorm(2.0)), true), s.optimizer());
    assertEquals("AdamW", s.optimizer().kerasName());
    assertEquals(new LearningRateSchedule.CosineDecay(0.001, 1000, 0.1, 0.01, 100), s.schedule());
    assertEquals(Loss.NOTEBOOK, s.loss());
  }

  @Test
  void nadamWithPiecewiseConstantDecayFromAKeras3H5File() {
    CompileSettings s = read("nadam_piecewise.h5");
    assertEquals(new Nadam(0.1f, 0.9, 0.999, 1e-7, new BaseOptions(0, new GradientClipping.ByValue(0.5))),
        s.optimizer());
    assertEquals(new LearningRateSchedule.PiecewiseConstantDecay(List.of(10L, 20L), List.of(0.1, 0.01, 0.001)),
        s.schedule());
    assertEquals(Loss.Kind.SPARSE_CATEGORICAL, s.loss().kind());
    assertTrue(s.source().endsWith("nadam_piecewise.h5: training_config"), s.source());
  }

  @Test
  void tfKerasCenteredRmsPropWithInverseTimeDecay() {
    CompileSettings s = read("tf_keras_rmsprop_centered.h5");
    assertEquals(new RmsProp(0.01f, 0.9, 0.5, 1e-7, true, BaseOptions.NONE), s.optimizer());
    assertEquals(new LearningRateSchedule.InverseTimeDecay(0.01, 50, 0.5, false), s.schedule());
    assertEquals(new Loss(Loss.Kind.SPARSE_CATEGORICAL, true, 0), s.loss());
  }

  @Test
  void tfKerasLegacyAdamWithoutDecay() {
    CompileSettings s = read("tf_keras_legacy_adam.h5");
    assertEquals(new Adam(0.01f), s.optimizer());
    assertEquals(Loss.NOTEBOOK, s.loss());
  }

  @Test
  void aFileSavedUncompiledGetsTheNotebooksSettings() {
    CompileSettings s = read("uncompiled.keras");
    assertEquals(new RmsProp(0.001f), s.optimizer());
    assertEquals(Loss.NOTEBOOK, s.loss());
  }

  @Test
  void theCommandLinesLearningRateReplacesTheFilesSchedule() {
    CompileSettings s = read("sgd_nesterov_exponential.keras").withLearningRate(0.05f);
    assertEquals(new Sgd(0.05f, 0.9, true, BaseOptions.NONE), s.optimizer());
    assertEquals(0.05f, s.schedule().rate(12345));
  }

  @Test
  void anUnsupportedOptimizerIsRefusedWithItsNameAndPlace() {
    DigitsException e = assertThrows(DigitsException.class, () -> read("adafactor.keras"));
    assertTrue(e.getMessage().endsWith(
        "adafactor.keras: compile_config.optimizer: 'Adafactor' is not supported (SGD, RMSprop, Adam, AdamW, Nadam)"),
        e.getMessage());
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The Adam file's compile_config with one value replaced at {@code path} (dot-separated). */
  private static String refusal(String path, String json) throws Exception {
    JsonNode root = JSON.readTree("""
        {"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.001, "use_ema": false}},
         "loss": {"class_name": "CategoricalCrossentropy", "config": {"reduction": "sum_over_batch_size"}},
         "metrics": ["accuracy"]}""");
    String[] keys = path.split("\\.");
    JsonNode parent = root;
    for (int i = 0; i < keys.length - 1; i++) {
      parent = parent.get(keys[i]);
    }
    ((ObjectNode) parent).set(keys[keys.length - 1], JSON.readTree(json));
    return assertThrows(DigitsException.class, () -> CompileSettings.parse("m.keras", "compile_config", root))
        .getMessage();
  }

  @Test
  void settingsThatWouldChangeTheNumbersAreRefusedWithTheirPlace() throws Exception {
    assertEquals("m.keras: compile_config.optimizer.config.use_ema: exponential moving averages of the weights "
        + "are not supported (true)", refusal("optimizer.config.use_ema", "true"));
    assertEquals("m.keras: compile_config.optimizer.config.foo: 'foo' is not supported",
        refusal("optimizer.config.foo", "1"));
    assertEquals("m.keras: compile_config.optimizer.config.learning_rate: learning-rate schedule 'PolynomialDecay' "
        + "is not supported (ExponentialDecay, PiecewiseConstantDecay, CosineDecay, InverseTimeDecay)",
        refusal("optimizer.config.learning_rate", "{\"class_name\": \"PolynomialDecay\", \"config\": {}}"));
    assertEquals("m.keras: compile_config.loss: 'mean_squared_error' is not supported "
        + "(CategoricalCrossentropy, SparseCategoricalCrossentropy)", refusal("loss", "\"mean_squared_error\""));
    assertEquals("m.keras: compile_config.loss.config.reduction: only the batch mean (sum_over_batch_size) is "
        + "supported (\"sum\")", refusal("loss.config.reduction", "\"sum\""));
    assertEquals("m.keras: compile_config.loss: one loss per output is not supported (one output)",
        refusal("loss", "[\"categorical_crossentropy\", \"categorical_crossentropy\"]"));
    assertEquals("m.keras: compile_config.metrics[0]: metric 'AUC' is not supported (accuracy)",
        refusal("metrics", "[\"AUC\"]"));
    assertEquals("m.keras: compile_config.optimizer.config: only one of clipnorm, clipvalue and global_clipnorm "
        + "can be set", refusal("optimizer.config", "{\"clipnorm\": 1.0, \"clipvalue\": 0.5}"));
    assertEquals("m.keras: compile_config.optimizer.config: Adam needs beta_1 and beta_2 in [0, 1) and epsilon > 0, "
        + "got beta_1 1.5, beta_2 0.999, epsilon 1.0E-7", refusal("optimizer.config", "{\"beta_1\": 1.5}"));
  }

  @Test
  void aLossAndMetricsGivenByOutputNameAreTheOneOutputs() throws Exception {
    JsonNode root = JSON.readTree("""
        {"optimizer": "adam", "loss": {"dense": "sparse_categorical_crossentropy"},
         "metrics": {"dense": ["sparse_categorical_accuracy"]}}""");
    CompileSettings s = CompileSettings.parse("m.keras", "compile_config", root);
    assertEquals(Loss.Kind.SPARSE_CATEGORICAL, s.loss().kind());
    assertEquals(List.of("accuracy"), s.metrics());
  }

  @Test
  void optimizerNamesAsStringsGetKerasDefaults() throws Exception {
    JsonNode root = JSON.readTree("{\"optimizer\": \"sgd\", \"loss\": \"categorical_crossentropy\"}");
    CompileSettings s = CompileSettings.parse("m.keras", "compile_config", root);
    assertInstanceOf(Sgd.class, s.optimizer());
    assertEquals(0.01f, s.optimizer().learningRate(), "Keras's SGD default");
  }

  /**
   * What KerasWriter writes reads back as the same settings, Keras 3's dialect and tf-keras's, for
   * the settings of every compiled fixture (as Keras saved them) and for every optimizer, clipping,
   * schedule and loss option training offers.
   */
  @ParameterizedTest
  @ValueSource(strings = {"adam_clipnorm_smoothing.keras", "adamw_cosine_warmup.keras", "nadam_piecewise.h5",
      "sgd_nesterov_exponential.keras", "tf_keras_legacy_adam.h5", "tf_keras_rmsprop_centered.h5", "uncompiled.keras"})
  void theSettingsOfKerasFilesRoundTrip(String name) {
    assertRoundTrips(read(name).compiled());
  }

  static List<Trainer.Compiled> everySetting() {
    BaseOptions clipNorm = new BaseOptions(0, new GradientClipping.ByNorm(1.5));
    BaseOptions clipValue = new BaseOptions(0.01, new GradientClipping.ByValue(0.5));
    BaseOptions globalNorm = new BaseOptions(0, new GradientClipping.ByGlobalNorm(2));
    return List.of(
        new Trainer.Compiled(new Sgd(0.05f, 0.9, true, clipValue),
            new LearningRateSchedule.ExponentialDecay(0.05, 100, 0.96, true), Loss.NOTEBOOK),
        new Trainer.Compiled(new Sgd(0.01f), LearningRateSchedule.constant(0.01f),
            new Loss(Loss.Kind.SPARSE_CATEGORICAL, true, 0)),
        new Trainer.Compiled(new RmsProp(0.002f, 0.8, 0.5, 1e-6, true, clipNorm),
            new LearningRateSchedule.PiecewiseConstantDecay(List.of(10L, 20L), List.of(0.002, 0.001, 0.0005)),
            new Loss(Loss.Kind.CATEGORICAL, false, 0.1)),
        new Trainer.Compiled(new Adam(0.0001f, 0.85, 0.995, 1e-6, true, globalNorm, false),
            new LearningRateSchedule.CosineDecay(0.0001, 900, 0.05, 0.003, 100), Loss.NOTEBOOK),
        // AdamW without weight decay: 0, not Keras's null, which AdamW reads as 0.004
        new Trainer.Compiled(new Adam(0.001f, 0.9, 0.999, 1e-7, false, BaseOptions.NONE, true),
            new LearningRateSchedule.InverseTimeDecay(0.001, 50, 0.5, false), Loss.NOTEBOOK),
        new Trainer.Compiled(new Nadam(0.002f), new LearningRateSchedule.CosineDecay(0.002, 300, 0),
            new Loss(Loss.Kind.CATEGORICAL, true, 0)));
  }

  @ParameterizedTest
  @MethodSource("everySetting")
  void everySettingRoundTrips(Trainer.Compiled compiled) {
    assertRoundTrips(compiled);
  }

  private static void assertRoundTrips(Trainer.Compiled compiled) {
    assertEquals(compiled, CompileSettings.parse("written.keras", "compile_config",
        CompileSettings.toKeras3(compiled)).compiled(), "Keras 3");
    assertEquals(compiled, CompileSettings.parse("written.h5", "training_config",
        CompileSettings.toTfKeras(compiled)).compiled(), "tf-keras");
  }
}
