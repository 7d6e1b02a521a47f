package io.digits.cli;

import io.digits.DigitsException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar target/digits.jar <command>}. Exit codes: 0 success, 1 bad input or failure
 * (one line on stderr; the stack trace only with {@code --verbose}), 2 bad usage.
 */
@Command(
    name = "digits",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Train, export and score handwritten-digit models on TensorFlow Java.",
    subcommands = {
      TrainCommand.class,
      PredictCommand.class,
      InspectCommand.class,
      EvaluateCommand.class,
      ShowCommand.class,
      ConvertCommand.class,
      EnsembleCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  @Option(names = "--verbose", description = "Print stack traces of errors, and TensorFlow's native INFO lines.",
      scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  /** The command line: run in a child JVM that keeps TensorFlow's INFO lines quiet ({@link QuietLaunch}). */
  public static void main(String[] args) {
    if (QuietLaunch.wanted(args)) {
      System.exit(QuietLaunch.relaunch(args));
    }
    QuietLaunch.watchLauncher();
    System.exit(run(args));
  }

  /** Runs one command line and returns its exit code (tests call this directly). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(Main::handle);
    return cli.execute(args);
  }

  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    boolean verbose = false;
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      verbose |= p.hasMatchedOption("--verbose");
    }
    if (e instanceof DigitsException) {
      err.println("digits: " + e.getMessage());
    } else {
      err.println("digits: " + e.getClass().getSimpleName() + ": " + e.getMessage()
          + (verbose ? "" : " (run with --verbose for details)"));
    }
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  /** {@code --version}: this build and the TensorFlow runtime under it. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String own = Main.class.getPackage().getImplementationVersion();
      return new String[] {
        "digits " + (own == null ? "(development build)" : own),
        "TensorFlow " + org.tensorflow.TensorFlow.version() + " (TensorFlow Java 1.1.0)",
        "Java " + Runtime.version()
      };
    }
  }
}
