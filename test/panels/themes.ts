// VS Code theme variables (Default Dark Modern / Default Light Modern) as the webview host
// injects them on <html>, for the rendering check.
const common = {
  '--vscode-font-family': '-apple-system, BlinkMacSystemFont, "Segoe WPC", "Segoe UI", "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '14px',
};

export const THEMES: Record<'dark' | 'light', { bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      ...common,
      '--vscode-foreground': '#cccccc', '--vscode-editor-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f',
      '--vscode-descriptionForeground': '#9d9d9d', '--vscode-errorForeground': '#f85149', '--vscode-focusBorder': '#0078d4',
      '--vscode-panel-border': '#2b2b2b', '--vscode-widget-border': '#313131', '--vscode-editorWidget-background': '#202020',
      '--vscode-charts-red': '#f14c4c', '--vscode-charts-green': '#89d185', '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7',
      '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8', '--vscode-textLink-foreground': '#4daafc',
      '--vscode-diffEditor-insertedTextBackground': 'rgba(156, 204, 44, 0.2)', '--vscode-diffEditor-removedTextBackground': 'rgba(255, 0, 0, 0.2)',
      '--vscode-editor-selectionBackground': '#264f78', '--vscode-list-activeSelectionBackground': '#04395e',
      '--vscode-editorGroup-border': 'rgba(255, 255, 255, 0.09)', '--vscode-keybindingTable-rowsBackground': 'rgba(204, 204, 204, 0.04)',
      '--vscode-keybindingTable-headerBackground': 'rgba(204, 204, 204, 0.04)', '--vscode-settings-textInputBackground': '#313131',
      '--vscode-settings-textInputForeground': '#cccccc', '--vscode-settings-textInputBorder': '#3c3c3c',
      '--vscode-input-placeholderForeground': '#989898', '--vscode-sideBar-background': '#181818',
      '--vscode-sideBarSectionHeader-background': '#181818', '--vscode-sideBarTitle-foreground': '#cccccc', '--vscode-icon-foreground': '#cccccc',
      '--vscode-scrollbarSlider-background': 'rgba(121, 121, 121, 0.4)', '--vscode-scrollbarSlider-hoverBackground': 'rgba(100, 100, 100, 0.7)',
      '--vscode-scrollbarSlider-activeBackground': 'rgba(191, 191, 191, 0.4)', '--vscode-sash-hoverBorder': '#0078d4',
      '--vscode-panel-background': '#181818', '--vscode-settings-headerBorder': '#2b2b2b',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      ...common,
      '--vscode-foreground': '#3b3b3b', '--vscode-editor-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff',
      '--vscode-descriptionForeground': '#717171', '--vscode-errorForeground': '#f85149', '--vscode-focusBorder': '#005fb8',
      '--vscode-panel-border': '#e5e5e5', '--vscode-widget-border': '#e5e5e5', '--vscode-editorWidget-background': '#f8f8f8',
      '--vscode-charts-red': '#e51400', '--vscode-charts-green': '#388a34', '--vscode-charts-yellow': '#bf8803',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#652d90',
      '--vscode-badge-background': '#cccccc', '--vscode-badge-foreground': '#3b3b3b', '--vscode-textLink-foreground': '#005fb8',
      '--vscode-diffEditor-insertedTextBackground': 'rgba(156, 204, 44, 0.25)', '--vscode-diffEditor-removedTextBackground': 'rgba(255, 0, 0, 0.2)',
      '--vscode-editor-selectionBackground': '#add6ff', '--vscode-list-activeSelectionBackground': '#e8e8e8',
      '--vscode-editorGroup-border': '#e5e5e5', '--vscode-keybindingTable-rowsBackground': 'rgba(128, 128, 128, 0.04)',
      '--vscode-keybindingTable-headerBackground': 'rgba(128, 128, 128, 0.04)', '--vscode-settings-textInputBackground': '#ffffff',
      '--vscode-settings-textInputForeground': '#3b3b3b', '--vscode-settings-textInputBorder': '#cecece',
      '--vscode-input-placeholderForeground': '#767676', '--vscode-sideBar-background': '#f8f8f8',
      '--vscode-sideBarSectionHeader-background': '#f8f8f8', '--vscode-sideBarTitle-foreground': '#3b3b3b', '--vscode-icon-foreground': '#3b3b3b',
      '--vscode-scrollbarSlider-background': 'rgba(100, 100, 100, 0.4)', '--vscode-scrollbarSlider-hoverBackground': 'rgba(100, 100, 100, 0.7)',
      '--vscode-scrollbarSlider-activeBackground': 'rgba(0, 0, 0, 0.6)', '--vscode-sash-hoverBorder': '#005fb8',
      '--vscode-panel-background': '#f8f8f8', '--vscode-settings-headerBorder': '#e5e5e5',
    },
  },
};
