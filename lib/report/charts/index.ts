/** Chart builders (pure: data → Plotly figure) for the notebook series, and how to show them. */
export * from "./types";
export * from "./spectrogram";
export * from "./waveform";
export * from "./chunks";
export * from "./basic";
export * from "./step-curves";
export * from "./show";
export * from "./from-table";
