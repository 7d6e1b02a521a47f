package io.digits.train;

import io.digits.DigitsException;
import io.digits.data.Dataset;
import io.digits.data.Split;
import io.digits.model.Architecture;
import io.digits.model.Weights;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tensorflow.proto.ConfigProto;

/**
 * {@code train --ensemble N}: N models of one architecture that differ in their seed (start weights,
 * shuffles, dropout and augmentation draws) and, with {@code folds}, in the rows they validate on.
 * Member {@code i} (1..N) trains with seed {@code seed + i - 1}, so member 1 is the model that
 * {@code train} alone would give. Without folds every member validates on the same split
 * ({@code validationSplit} with the split seed {@code seed}, the notebook's by default), so the
 * ensemble's validation figure is honest; with {@code folds} K, member i validates on fold
 * {@code (i-1) % K + 1} of scikit-learn's shuffled KFold and trains on the others.
 */
public record Ensemble(Architecture architecture, int members, int folds, long seed, double validationSplit) {
  /** Under an ensemble export's {@code assets.extra/}: the members, their runs and the split they share. */
  public static final String EXPORT_FILE = "ensemble.json";
  /** Under a member export's {@code assets.extra/} (beside its training.json): its place in the ensemble. */
  public static final String MEMBER_FILE = "ensemble_member.json";

  public Ensemble {
    if (members < 1 || folds < 0 || folds == 1) {
      throw new DigitsException("need --ensemble >= 1 and --folds >= 2");
    }
  }

  public long memberSeed(int member) {
    return seed + member - 1;
  }

  /** The fold member {@code member} validates on (1..folds), or 0 without folds. */
  public int fold(int member) {
    return folds == 0 ? 0 : (member - 1) % folds + 1;
  }

  public Split split(Dataset all, int member) {
    return folds == 0 ? Split.of(all, validationSplit, seed) : Split.fold(all, folds, fold(member), seed);
  }

  /** What training gave for one member. */
  public record Member(int member, long seed, int fold, int validationRows, TrainingRun run, Trainer.Outcome outcome) {}

  /** Member {@code member}'s run: {@code run} with the member's seed (the split stays {@code run}'s). */
  public TrainingRun memberRun(TrainingRun run, int member) {
    return new TrainingRun(run.model(), run.data(), run.validationSplit(), run.precision(), run.version(),
        run.initFrom(), run.config().withSeed(memberSeed(member)));
  }

  /**
   * Trains the listed {@code members} of {@code run} one after the other, checkpointing into
   * {@code stateDir}: {@code member-i.checkpoint} after each epoch, {@code member-i.done} once a member
   * is finished. A run that finds these files (a resumed one) goes on from them; each must hold the
   * member's run.
   */
  public List<Member> train(int[] members, TrainingRun run, Dataset all, ConfigProto session, Path stateDir,
      PrintStream out, boolean interactive) {
    ProgressBar bar = new ProgressBar(out, interactive);
    TrainConfig config = run.config();
    TimeLeft timeLeft = new TimeLeft(members.length * config.epochs());
    List<Member> trained = new ArrayList<>();
    for (int m : members) {
      TrainingRun memberRun = memberRun(run, m);
      Path done = stateDir.resolve("member-" + m + ".done");
      Path checkpointFile = stateDir.resolve("member-" + m + ".checkpoint");
      Split split = split(all, m);
      String title = String.format(Locale.ROOT, "Member %d/%d (seed %d): training on %,d rows, validating on %,d%s",
          m, this.members, memberSeed(m), split.train().size(), split.validation().size(),
          folds == 0 ? "" : " (fold " + fold(m) + " of " + folds + ")");
      if (Files.exists(done)) {
        TrainingState finished = load(done, memberRun);
        timeLeft.finished(finished.history(), config.epochs());
        out.println(title + ": finished before the interruption");
        trained.add(new Member(m, memberSeed(m), fold(m), split.validation().size(), memberRun,
            new Trainer.Outcome(finished.weights(), finished.history(), finished.optimizerState(),
                finished.stepsTaken())));
        continue;
      }
      Trainer.Start start = Trainer.Start.fresh();
      if (Files.exists(checkpointFile)) {
        TrainingState resume = load(checkpointFile, memberRun);
        timeLeft.finished(resume.history(), 0);
        start = Trainer.Start.resume(resume);
        title += ", resuming after epoch " + resume.epochsDone();
      }
      out.println(title);
      Trainer.Outcome outcome = new Trainer(memberRun.config(), bar).fit(
          architecture.create(config.dropout()), split.train(), split.validation(), session, start,
          state -> {
            new Checkpoint(memberRun, state).save(checkpointFile);
            timeLeft.epochDone(state.history().last());
            out.println(timeLeft.describe(m, this.members));
          });
      timeLeft.memberDone(outcome.history(), config.epochs());
      // No optimizer state: a finished member is never trained further.
      new Checkpoint(memberRun, new TrainingState(outcome.history().epochs().size(), 0, outcome.history(),
          outcome.weights(), new Weights(List.of()))).save(done);
      try {
        Files.deleteIfExists(checkpointFile);
      } catch (IOException e) {
        throw new DigitsException(checkpointFile + ": cannot remove: " + e.getMessage(), e);
      }
      trained.add(new Member(m, memberSeed(m), fold(m), split.validation().size(), memberRun, outcome));
    }
    return trained;
  }

  /** A member file of this run; one written by another run (other options) is refused. */
  private static TrainingState load(Path file, TrainingRun expected) {
    Checkpoint c = Checkpoint.load(file);
    if (!c.run().equals(expected)) {
      throw new DigitsException(file + ": the interrupted ensemble was trained with other options (" + c.run()
          + "); resume with the same options, or train anew without --resume");
    }
    return c.state();
  }

  /** The time left for the whole ensemble: the epochs still to run times the mean epoch so far. */
  private static final class TimeLeft {
    private final int totalEpochs;
    private int epochsDone;
    private double seconds;
    private int timed;

    TimeLeft(int totalEpochs) {
      this.totalEpochs = totalEpochs;
    }

    /** Epochs of a member that ran before (its checkpoint); {@code planned}: count it as all its epochs. */
    void finished(History history, int planned) {
      history.epochs().forEach(this::epochDone);
      memberDone(history, planned);
    }

    void epochDone(History.Epoch e) {
      epochsDone++;
      seconds += e.seconds();
      timed++;
    }

    /** An early stop skips the member's remaining epochs. */
    void memberDone(History history, int planned) {
      epochsDone += Math.max(0, planned - history.epochs().size());
    }

    String describe(int member, int members) {
      double left = timed == 0 ? 0 : seconds / timed * (totalEpochs - epochsDone);
      return String.format(Locale.ROOT, "Member %d/%d: %d of %d ensemble epochs done, about %s left",
          member, members, epochsDone, totalEpochs, minutes(left));
    }

    private static String minutes(double s) {
      return s < 90 ? Math.round(s) + " s" : Math.round(s / 60) + " min";
    }
  }
}
