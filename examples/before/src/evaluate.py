"""Scores the trained model on the held-out test set and writes evaluation.json."""
import json
import os
import tarfile

import pandas as pd
import xgboost
from sklearn.metrics import f1_score, roc_auc_score

BASE = "/opt/ml/processing"


def main() -> None:
    with tarfile.open(os.path.join(BASE, "model", "model.tar.gz")) as tar:
        tar.extractall(path=".")
    booster = xgboost.Booster()
    booster.load_model("xgboost-model")

    test = pd.read_csv(os.path.join(BASE, "test", "test.csv"), header=None)
    y = test.iloc[:, 0].to_numpy()
    scores = booster.predict(xgboost.DMatrix(test.iloc[:, 1:].values))
    report = {
        "binary_classification_metrics": {
            "auc": {"value": float(roc_auc_score(y, scores))},
            "f1": {"value": float(f1_score(y, scores > 0.5))},
        }
    }
    os.makedirs(os.path.join(BASE, "evaluation"), exist_ok=True)
    with open(os.path.join(BASE, "evaluation", "evaluation.json"), "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
