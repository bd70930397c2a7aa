import { render } from 'preact';
import { App } from './app.tsx';
import './styles/base.css';
import './styles/layout.css';
import './styles/forms.css';
import './styles/admin-pages.css';
import './styles/monitor.css';
import './styles/print.css';

render(<App />, document.getElementById('app')!);
