import { ProjectsService } from './projects.service';

describe('ProjectsService', () => {
  it('builds the url from the title and gives a positive int32 id', () => {
    const project = new ProjectsService().create('An awesome project');
    expect(project.url).toBe('Project-An awesome project');
    expect(Number.isInteger(project.id)).toBe(true);
    expect(project.id).toBeGreaterThan(0);
    expect(project.id).toBeLessThan(2 ** 31);
  });
});
