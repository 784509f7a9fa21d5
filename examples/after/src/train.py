"""Trains the XGBoost churn classifier (SageMaker training entry point, also run by DVC)."""
import argparse
import os

import pandas as pd
import xgboost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.environ.get("SM_CHANNEL_TRAIN", "data/prepared"))
    parser.add_argument("--out", default=os.environ.get("SM_MODEL_DIR", "models/churn"))
    parser.add_argument("--max-depth", type=int, default=6)
    parser.add_argument("--eta", type=float, default=0.2)
    parser.add_argument("--num-round", type=int, default=300)
    args = parser.parse_args()

    train = pd.read_csv(os.path.join(args.data, "train", "train.csv"), header=None)
    validation = pd.read_csv(os.path.join(args.data, "validation", "validation.csv"), header=None)
    dtrain = xgboost.DMatrix(train.iloc[:, 1:], label=train.iloc[:, 0])
    dval = xgboost.DMatrix(validation.iloc[:, 1:], label=validation.iloc[:, 0])
    params = {"max_depth": args.max_depth, "eta": args.eta, "objective": "binary:logistic", "eval_metric": "auc"}
    booster = xgboost.train(params, dtrain, args.num_round, evals=[(dval, "validation")], early_stopping_rounds=20)
    os.makedirs(args.out, exist_ok=True)
    booster.save_model(os.path.join(args.out, "xgboost-model"))


if __name__ == "__main__":
    main()
