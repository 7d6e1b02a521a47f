package io.digits.train;

import io.digits.model.Weights;

/**
 * Where a run stands after a whole epoch: everything that training needs to go on as if never
 * stopped (weights, optimizer slots, steps taken, history so far).
 */
public record TrainingState(int epochsDone, long stepsTaken, History history, Weights weights, Weights optimizerState) {}
